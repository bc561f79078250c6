/**
 * The I-TEC market (docs/market.md): the EIP-712 offer sellers sign, and the settlement contract's binding.
 */
export { itecMarketAbi, itecMarketArtifact, permissionedTokenArtifact } from "./abi.ts";
export * from "./offer.ts";
export * from "./contract.ts";
