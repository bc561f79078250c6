/**
 * sdk/src/abi.ts is committed (the run time needs it before anything is compiled: ADR 0004) and generated from the
 * compiled registry; Ignition and `npm start` deploy its bytecode. `hardhat test` compiles first, so this fails whenever the contracts changed and `npm run
 * build` was not run and its output committed.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { ABI_MODULE, abiModuleText, compiledArtifacts } from "../../scripts/build/abi.ts";
import { itecRegistryAbi, itecRegistryArtifact, itecRegistryExtensionArtifact } from "../../sdk/src/abi.ts";
import { UNDER_COVERAGE } from "./support.ts";

describe("generated ABI module (sdk/src/abi.ts)", function () {
  it("is exactly what the current contracts compile to", function () {
    // Under --coverage the artifacts hold instrumented bytecode, which is never committed.
    if (UNDER_COVERAGE) this.skip();
    const compiled = compiledArtifacts();
    expect(itecRegistryAbi).to.deep.equal(compiled.surface.abi);
    expect(itecRegistryArtifact.bytecode).to.equal(compiled.registry.bytecode);
    expect(itecRegistryArtifact.deployedBytecode).to.equal(compiled.registry.deployedBytecode);
    expect(itecRegistryExtensionArtifact.bytecode).to.equal(compiled.extension.bytecode);
    expect(readFileSync(ABI_MODULE, "utf8")).to.equal(abiModuleText(compiled));
  });
});
