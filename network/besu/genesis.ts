/**
 * The QBFT genesis file (block header validator selection), following Besu's QBFT and free-gas documentation:
 * every fork through London at block 0, Shanghai and Cancun at time 0 (OpenZeppelin 5.7 needs Cancun's `mcopy`),
 * `zeroBaseFee` so blocks carry a base fee of 0 (with `--min-gas-price=0` on every node: free gas), difficulty 1 and
 * the Istanbul mix hash, and the validators in `extraData`.
 * https://besu.hyperledger.org/private-networks/how-to/configure/consensus/qbft#genesis-file
 * https://besu.hyperledger.org/private-networks/how-to/configure/free-gas
 */
import { toQuantity, ZeroAddress, ZeroHash } from "ethers";

import { genesisExtraData } from "./extra-data.ts";

/** "ctical byzantine fault tolerance": the mix hash Besu requires to identify Istanbul-family (IBFT/QBFT) blocks. */
export const QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365";

export interface QbftGenesisConfig {
  readonly chainId: number;
  readonly homesteadBlock: 0;
  readonly eip150Block: 0;
  readonly eip155Block: 0;
  readonly eip158Block: 0;
  readonly byzantiumBlock: 0;
  readonly constantinopleBlock: 0;
  readonly petersburgBlock: 0;
  readonly istanbulBlock: 0;
  readonly muirGlacierBlock: 0;
  readonly berlinBlock: 0;
  readonly londonBlock: 0;
  readonly shanghaiTime: 0;
  readonly cancunTime: 0;
  readonly zeroBaseFee: true;
  readonly contractSizeLimit?: number;
  readonly qbft: {
    readonly blockperiodseconds: number;
    readonly epochlength: number;
    readonly requesttimeoutseconds: number;
  };
}

export interface QbftGenesis {
  readonly config: QbftGenesisConfig;
  readonly nonce: string;
  readonly timestamp: string;
  readonly extraData: string;
  readonly gasLimit: string;
  readonly difficulty: string;
  readonly mixHash: string;
  readonly coinbase: string;
  readonly baseFeePerGas: string;
  readonly alloc: Readonly<Record<string, { readonly balance: string }>>;
  readonly number: string;
  readonly gasUsed: string;
  readonly parentHash: string;
}

export interface GenesisParameters {
  readonly chainId: number;
  readonly blockPeriodSeconds: number;
  readonly epochLength: number;
  readonly requestTimeoutSeconds: number;
  readonly gasLimit: number;
  readonly contractSizeLimit?: number | undefined;
  /** Checksummed address → balance in wei (0x quantity). */
  readonly alloc?: Readonly<Record<string, string>>;
  /** Genesis validators; sorted ascending by address here, as Besu's documentation asks. */
  readonly validators: readonly string[];
}

/** Validator addresses in ascending numeric order (the order Besu's docs use for `extraData`). */
export function sortAddresses(addresses: readonly string[]): string[] {
  return [...addresses].sort((a, b) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Builds the genesis object; `JSON.stringify` it for `genesis.json`. Deterministic (timestamp 0). */
export function buildGenesis(p: GenesisParameters): QbftGenesis {
  const alloc: Record<string, { balance: string }> = {};
  for (const [address, balance] of Object.entries(p.alloc ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    alloc[address] = { balance };
  }
  return {
    config: {
      chainId: p.chainId,
      homesteadBlock: 0,
      eip150Block: 0,
      eip155Block: 0,
      eip158Block: 0,
      byzantiumBlock: 0,
      constantinopleBlock: 0,
      petersburgBlock: 0,
      istanbulBlock: 0,
      muirGlacierBlock: 0,
      berlinBlock: 0,
      londonBlock: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      zeroBaseFee: true,
      ...(p.contractSizeLimit === undefined ? {} : { contractSizeLimit: p.contractSizeLimit }),
      qbft: {
        blockperiodseconds: p.blockPeriodSeconds,
        epochlength: p.epochLength,
        requesttimeoutseconds: p.requestTimeoutSeconds,
      },
    },
    nonce: "0x0",
    timestamp: "0x0",
    extraData: genesisExtraData(sortAddresses(p.validators)),
    gasLimit: toQuantity(p.gasLimit),
    difficulty: "0x1",
    mixHash: QBFT_MIX_HASH,
    coinbase: ZeroAddress,
    // London at genesis: the genesis block itself carries a base fee; zero, like every block after it.
    baseFeePerGas: "0x0",
    alloc,
    number: "0x0",
    gasUsed: "0x0",
    parentHash: ZeroHash,
  };
}
