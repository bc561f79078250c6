/** Library entry of the Besu QBFT network generator; the CLI is `network/besu/generate.ts`. */
export { BesuNetworkError, type BesuNetworkErrorCode } from "./errors.ts";
export {
  decodeQbftExtraData,
  encodeQbftExtraData,
  genesisExtraData,
  type QbftExtraData,
  type QbftExtraDataInput,
  type QbftVote,
} from "./extra-data.ts";
export { buildGenesis, QBFT_MIX_HASH, sortAddresses, type GenesisParameters, type QbftGenesis } from "./genesis.ts";
export { devNodeKey, enodeUrl, nodeKeyFromPrivateKey, parseEnodeUrl, randomNodeKey, type NodeKey } from "./keys.ts";
export {
  generateNetwork,
  writeNetwork,
  type GeneratedFile,
  type GeneratedNetwork,
  type NetworkSummary,
  type NodeSummary,
} from "./network.ts";
export { nodeConfigToml, permissionsConfigToml, type ValidatorNode } from "./node-config.ts";
export { networkOptionsSchema, OPTION_FLAGS, type NetworkOptionsInput } from "./options.ts";
export {
  DEV_CHAIN_IDS,
  LOCAL_CHAIN_ID,
  parseNetworkOptions,
  type NetworkOptions,
  type NodeEndpoint,
  type OptionIssue,
  type RpcSettings,
} from "./resolve.ts";
export { BESU_IMAGE, BESU_VERSION } from "./version.ts";
