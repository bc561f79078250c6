/**
 * How invariants.test.ts talks to the registry: each transaction and each read is one raw JSON-RPC request to the
 * in-process network, encoded and decoded with the registry's ABI. Not a test file.
 *
 * Why not ethers' contract objects (issue 18 item 7: 10,000 runs in the soak): a transaction sent without a gas
 * limit is first estimated, and EDR's `eth_estimateGas` searches for the limit by executing the call over and over.
 * For the operations that change a batch's status — the registry then renders the batch's metadata on chain for its
 * `URI` event (~550k gas) — that took ~0.5 s of the ~0.6 s a run cost; with a fixed limit the same transaction mines
 * in ~20 ms. A view call through hardhat-ethers also costs several times a bare `eth_call`. What the chain executes
 * is the same: the same calls from the same accounts, each mined in its own block (automine); a call that reverts is
 * mined as a failed transaction and the node answers with its revert data, which `decodeRegistryError` reads.
 */
import { toQuantity, type LogDescription } from "ethers";
import type { EthereumProvider } from "hardhat/types/providers";

import { registryInterface } from "../../sdk/src/registry.ts";

/**
 * The gas limit of every transaction: just under the per-transaction cap EDR enforces (2^24, EIP-7825) and ~30× what
 * the costliest operation here uses, so no operation that should succeed runs out of gas (the model would catch it).
 */
export const GAS_LIMIT = 16_000_000n;

interface RawReceipt {
  status: string;
  logs: { topics: string[]; data: string }[];
}

export interface RegistryChannel {
  /** Sends `fn(args)` from `from`; returns the registry's events it emitted, or throws the node's revert error. */
  send: (from: string, fn: string, args: readonly unknown[]) => Promise<LogDescription[]>;
  /** Calls the view `fn(args)`: its one return value, or all of them (a Result) when it returns several. */
  view: <T>(fn: string, args?: readonly unknown[]) => Promise<T>;
  /** Calls the view `fn(args)` returning one `uint256[]` of `length` values. */
  uints: (fn: string, args: readonly unknown[], length: number) => Promise<bigint[]>;
}

/**
 * The `uint256[]` return data `hex` holds (offset 0x20, length, words), checked to hold exactly `length` values.
 * Decoded by hand: ethers' ABI coder took longer over the balance sweep than the chain took to answer it.
 */
export function decodeUints(hex: string, length: number): bigint[] {
  const word = (i: number) => BigInt(`0x${hex.slice(2 + 64 * i, 66 + 64 * i)}`);
  if (hex.length !== 2 + 64 * (2 + length) || word(0) !== 32n || word(1) !== BigInt(length)) {
    throw new Error(`expected a uint256[${length}], got ${hex.slice(0, 140)}… (${(hex.length - 2) / 2} bytes)`);
  }
  return Array.from({ length }, (_, i) => word(2 + i));
}

export function registryChannel(provider: EthereumProvider, address: string): RegistryChannel {
  const gas = toQuantity(GAS_LIMIT);
  // A view's calldata by its name and arguments (scalars and lists of scalars): the same reads recur every step, and
  // encoding them (checksumming every address of the balance sweep) cost more than executing them.
  const encoded = new Map<string, string>();
  const encode = (fn: string, args: readonly unknown[]) => {
    if (args.some((a) => typeof a === "object" && !Array.isArray(a))) {
      return registryInterface.encodeFunctionData(fn, args);
    }
    const k = `${fn}(${args.map(String).join(";")})`;
    let data = encoded.get(k);
    if (data === undefined) {
      data = registryInterface.encodeFunctionData(fn, args);
      encoded.set(k, data);
    }
    return data;
  };
  const call = async (fn: string, args: readonly unknown[]) =>
    (await provider.request({
      method: "eth_call",
      params: [{ to: address, data: encode(fn, args) }, "latest"],
    })) as string;
  return {
    async send(from, fn, args) {
      const data = registryInterface.encodeFunctionData(fn, args);
      // Automine: the answer comes once the transaction is mined (or with the revert, if it failed).
      const hash = await provider.request({
        method: "eth_sendTransaction",
        params: [{ from, to: address, data, gas }],
      });
      const receipt = (await provider.request({
        method: "eth_getTransactionReceipt",
        params: [hash],
      })) as RawReceipt | null;
      if (!receipt) throw new Error(`${fn}: no receipt for ${String(hash)} (the network must automine)`);
      if (receipt.status !== "0x1") throw new Error(`${fn}: failed (status ${receipt.status}) without a revert error`);
      return receipt.logs.flatMap((log) => {
        const parsed = registryInterface.parseLog(log);
        return parsed ? [parsed] : [];
      });
    },
    async view<T>(fn: string, args: readonly unknown[] = []) {
      const result = registryInterface.decodeFunctionResult(fn, await call(fn, args));
      return (result.length === 1 ? result[0] : result) as T;
    },
    async uints(fn, args, length) {
      return decodeUints(await call(fn, args), length);
    },
  };
}
