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
} from "./network.ts";
export { permissionsConfigToml, validatorConfigToml, type ValidatorNode } from "./node-config.ts";
export {
  networkOptionsSchema,
  parseNetworkOptions,
  type NetworkOptions,
  type NetworkOptionsInput,
  type OptionIssue,
} from "./options.ts";
