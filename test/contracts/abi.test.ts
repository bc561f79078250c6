/**
 * types/abi.ts is committed (the run time needs it before anything is compiled: ADR 0004) and generated from the
 * compiled registry. `hardhat test` compiles first, so this fails whenever the contracts changed and `npm run
 * build` was not run and its output committed.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { ABI_MODULE, abiModuleText, compiledAbi } from "../../scripts/build/abi.ts";
import { itecRegistryAbi } from "../../types/abi.ts";

describe("generated ABI module (types/abi.ts)", function () {
  it("is exactly what the current contracts compile to", function () {
    expect(itecRegistryAbi).to.deep.equal(compiledAbi());
    expect(readFileSync(ABI_MODULE, "utf8")).to.equal(abiModuleText(compiledAbi()));
  });
});
