/**
 * sdk/src/market/abi.ts is committed (npm start deploys its bytecode before anything is compiled: ADR 0004) and
 * generated from the compiled market contracts; this fails whenever they changed and `npm run build` was not run
 * and its output committed. Also: the market's interface declares every function, event and error the deployed
 * market answers or raises (what the API, indexer and SDK decode), and both contracts fit the EVM's code-size limit.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { Interface, type InterfaceAbi } from "ethers";

import { compiledMarketArtifacts, MARKET_ABI_MODULE, marketAbiModuleText } from "../../scripts/build/market-abi.ts";
import { itecMarketAbi, itecMarketArtifact, permissionedTokenArtifact } from "../../sdk/src/market/abi.ts";
import { UNDER_COVERAGE } from "./support.ts";

const MAX_RUNTIME = 24_576;

/** What the deployed market has beyond IITECMarket: EIP-5267, ERC-165 and the ERC-1155 receiver hooks. */
const BEYOND_SURFACE = [
  "eip712Domain()",
  "supportsInterface(bytes4)",
  "onERC1155Received(address,address,uint256,uint256,bytes)",
  "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)",
];

describe("generated market ABI module (sdk/src/market/abi.ts)", function () {
  it("is exactly what the current contracts compile to", function () {
    if (UNDER_COVERAGE) this.skip();
    const compiled = compiledMarketArtifacts();
    expect(itecMarketAbi).to.deep.equal(compiled.surface.abi);
    expect(itecMarketArtifact.bytecode).to.equal(compiled.market.bytecode);
    expect(permissionedTokenArtifact.bytecode).to.equal(compiled.token.bytecode);
    expect(readFileSync(MARKET_ABI_MODULE, "utf8")).to.equal(marketAbiModuleText(compiled));
  });

  it("declares in IITECMarket every function of the market (but its standard hooks)", function () {
    const surface = new Interface(itecMarketAbi);
    const market = new Interface(itecMarketArtifact.abi);
    const functions = (i: Interface) => i.fragments.filter((f) => f.type === "function").map((f) => f.format());
    expect(functions(market).sort()).to.deep.equal([...functions(surface), ...BEYOND_SURFACE].sort());
    // Errors the market raises itself are all declared; the rest come from OpenZeppelin's ECDSA / SafeERC20 / EIP712.
    const errors = (i: Interface) => i.fragments.filter((f) => f.type === "error").map((f) => f.format());
    expect(errors(market)).to.include.members(errors(surface));
  });

  it("fits the EVM's code-size limit", function () {
    if (UNDER_COVERAGE) this.skip();
    for (const a of [itecMarketArtifact, permissionedTokenArtifact]) {
      expect((a.deployedBytecode.length - 2) / 2, a.contractName).to.be.at.most(MAX_RUNTIME);
    }
  });
});
