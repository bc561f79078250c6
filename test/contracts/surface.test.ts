/**
 * The whole-surface claim of contracts/interfaces/IITECRegistry.sol: the interface integrators use (sdk/src/abi.ts is
 * generated from it) declares exactly the functions the registry answers — its own and those its fallback delegates
 * to ITECRegistryExtension — and every event and error either can emit; both deployables fit the EVM's code-size
 * limits; and the extension, which runs in the registry's storage, declares no storage of its own.
 *
 * Storage is checked on the compiler's AST (the build info Hardhat keeps; its solc output has no `storageLayout`,
 * which only a change of the shared compiler settings would add): every state variable of the extension and of
 * every contract it inherits must be `constant` or `immutable`. A positive control runs the same check on the
 * registry, which must find OpenZeppelin's variables there.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import type { Fragment } from "ethers";
import { AbiCoder, Interface, keccak256, toBeHex, toUtf8Bytes, type JsonFragment } from "ethers";
import { artifacts } from "hardhat";

import { UNDER_COVERAGE } from "./support.ts";

/** EIP-170 runtime and EIP-3860 init code limits. */
const MAX_RUNTIME = 24_576;
const MAX_INIT = 49_152;

/**
 * Selectors both contracts implement: RegistryState's public constants. Through the registry address the registry's
 * own copy answers (a selector it has never reaches the fallback); the extension's copy is the same constant.
 */
const SHARED = ["ISSUER_ROLE()", "MAX_CATEGORY()", "MAX_NAME_BYTES()", "MAX_TEXT_BYTES()"];

/**
 * Errors in the registry's ABI that no call can raise once deployed, so the surface leaves them out: EIP712's
 * ShortStrings errors (constructor only, and its fixed name and version are short), and SafeCast's overflow in
 * AccessControlDefaultAdminRules (`SafeCast.toUint48(block.timestamp)`, reached only after the year 8.9 million).
 */
const UNREACHABLE_ERRORS = [
  "InvalidShortString()",
  "StringTooLong(string)",
  "SafeCastOverflowedUintDowncast(uint8,uint256)",
];

async function abiOf(name: string): Promise<Interface> {
  return new Interface((await artifacts.readArtifact(name)).abi as JsonFragment[]);
}

/** Signatures (`name(types)`) of the fragments of one type. */
function signatures(iface: Interface, type: "function" | "event" | "error"): Set<string> {
  return new Set(
    iface.fragments
      .filter((f): f is Fragment & { format(): string } => f.type === type)
      .map((f) => f.format("sighash")),
  );
}

const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]));
const sorted = (s: Iterable<string>) => [...s].sort();

describe("IITECRegistry surface", function () {
  let surface: Interface;
  let registry: Interface;
  let extension: Interface;
  let renderer: Interface;
  before(async function () {
    surface = await abiOf("IITECRegistry");
    registry = await abiOf("ITECRegistry");
    extension = await abiOf("ITECRegistryExtension");
    renderer = await abiOf("BatchMetadataRenderer");
  });

  it("declares exactly the functions of the registry and its extension", function () {
    const reg = signatures(registry, "function");
    const ext = signatures(extension, "function");
    expect(sorted([...reg].filter((s) => ext.has(s)))).to.deep.equal(SHARED);
    expect(sorted(signatures(surface, "function"))).to.deep.equal(sorted(union(reg, ext)));
    // Selectors, too: no two signatures of the surface collide.
    const selectors = surface.fragments
      .filter((f) => f.type === "function")
      .map((f) => (f as Fragment & { selector: string }).selector);
    expect(new Set(selectors).size).to.equal(selectors.length);
    // The registry's constructor and fallback are not part of the surface (a fallback has no selector).
    expect(registry.fragments.map((f) => f.type)).to.include.members(["constructor", "fallback"]);
    expect(surface.fragments.map((f) => f.type)).to.not.include.members(["constructor"]);
  });

  it("declares every event either contract can emit, and no other", function () {
    const emitted = union(signatures(registry, "event"), signatures(extension, "event"), signatures(renderer, "event"));
    expect(sorted(signatures(surface, "event"))).to.deep.equal(sorted(emitted));
  });

  it("declares every error either contract can raise, but the unreachable ones, and no other", function () {
    const raised = union(signatures(registry, "error"), signatures(extension, "error"), signatures(renderer, "error"));
    for (const e of UNREACHABLE_ERRORS) expect(raised.has(e), e).to.equal(true);
    const reachable = sorted([...raised].filter((e) => !UNREACHABLE_ERRORS.includes(e)));
    expect(sorted(signatures(surface, "error"))).to.deep.equal(reachable);
  });

  it("keeps both deployables within the EVM's code-size limits", async function () {
    if (UNDER_COVERAGE) this.skip();
    const sizes: Record<string, { runtime: number; init: number }> = {};
    for (const name of ["ITECRegistry", "ITECRegistryExtension", "BatchMetadataRenderer"]) {
      const a = await artifacts.readArtifact(name);
      sizes[name] = { runtime: (a.deployedBytecode.length - 2) / 2, init: (a.bytecode.length - 2) / 2 };
    }
    // The registry's init code as deployed: with its constructor arguments (a typical base URI).
    const args = AbiCoder.defaultAbiCoder().encode(
      ["address", "uint48", "string", "address"],
      [toBeHex(1, 20), 172_800, "https://registry.example/batches/", toBeHex(2, 20)],
    );
    sizes.ITECRegistry!.init += (args.length - 2) / 2;
    console.log(`      code sizes (bytes): ${JSON.stringify(sizes)}`);
    for (const [name, { runtime, init }] of Object.entries(sizes)) {
      expect(runtime, `${name} runtime`).to.be.at.most(MAX_RUNTIME);
      expect(init, `${name} init code`).to.be.at.most(MAX_INIT);
    }
  });

  describe("storage", function () {
    interface AstNode {
      id: number;
      nodeType: string;
      name?: string;
      stateVariable?: boolean;
      mutability?: string;
      linearizedBaseContracts?: number[];
      nodes?: AstNode[];
      value?: { value?: string };
    }

    /** Every contract definition of the build that compiled `name`, by AST id. */
    async function contractsOf(name: string): Promise<Map<number, AstNode>> {
      const artifact = await artifacts.readArtifact(name);
      const id = await artifacts.getBuildInfoId(name);
      const path = id && (await artifacts.getBuildInfoOutputPath(id));
      if (!path) throw new Error(`no build info for ${name}`);
      const output = JSON.parse(readFileSync(path, "utf8")) as {
        output: { sources: Record<string, { ast: AstNode }> };
      };
      const byId = new Map<number, AstNode>();
      for (const { ast } of Object.values(output.output.sources)) {
        for (const node of ast.nodes ?? []) if (node.nodeType === "ContractDefinition") byId.set(node.id, node);
      }
      expect([...byId.values()].some((c) => c.name === artifact.contractName)).to.equal(true);
      return byId;
    }

    /** The storage variables (state variables neither constant nor immutable) `name` declares or inherits. */
    async function storageVariables(name: string): Promise<string[]> {
      const byId = await contractsOf(name);
      const contract = [...byId.values()].find((c) => c.name === name)!;
      return contract.linearizedBaseContracts!.flatMap((baseId) =>
        (byId.get(baseId)!.nodes ?? [])
          .filter((n) => n.nodeType === "VariableDeclaration" && n.stateVariable)
          .filter((n) => n.mutability !== "constant" && n.mutability !== "immutable")
          .map((n) => `${byId.get(baseId)!.name}.${n.name}`),
      );
    }

    it("finds the registry's own storage (positive control): OpenZeppelin's, none of RegistryState's", async function () {
      const vars = await storageVariables("ITECRegistry");
      expect(vars).to.include.members([
        "LeanERC1155._balances",
        "LeanERC1155._operatorApprovals",
        "AccessControl._roles",
        "AccessControlDefaultAdminRules._currentDefaultAdmin",
        "EIP712._nameFallback",
      ]);
      expect(vars.filter((v) => v.startsWith("RegistryState.") || v.startsWith("ITECRegistry."))).to.deep.equal([]);
    });

    it("finds none in the extension: it only reads and writes the registry's ERC-7201 namespace", async function () {
      expect(await storageVariables("ITECRegistryExtension")).to.deep.equal([]);
    });

    it("places that namespace where ERC-7201 says for itec.registry.state", async function () {
      const byId = await contractsOf("ITECRegistryExtension");
      const state = [...byId.values()].find((c) => c.name === "RegistryState")!;
      const slot = state.nodes!.find((n) => n.nodeType === "VariableDeclaration" && n.name === "STATE_SLOT")!;
      const base = BigInt(keccak256(toUtf8Bytes("itec.registry.state"))) - 1n;
      const expected = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256"], [base]))) & ~0xffn;
      expect(BigInt(slot.value!.value!)).to.equal(expected);
    });
  });
});
