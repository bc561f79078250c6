/**
 * Typed chain errors and the decoding of the registry's custom errors from any ethers error.
 */
import { isError, type ErrorDescription } from "ethers";

import { CodedError, causeText } from "../../sdk/src/errors.ts";
import { registryInterface } from "../../sdk/src/registry.ts";
import { revertSentence } from "./revert-sentences.ts";

/** Base class of errors from the chain adapter; `code` is stable and machine-readable. */
export class ChainError extends CodedError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A decoded revert: the custom error's name and arguments (as strings), plus a one-line message. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: Record<string, string>;
  /** The raw error, e.g. `ITECAccountNotActive(account=0x…, status=0)`. */
  readonly message: string;
  /** What it means and the next step, for people (core/chain/revert-sentences.ts). */
  readonly sentence: string;
  readonly data: string;
}

/** The names of every custom error in the registry's ABI (its own and the OpenZeppelin ones it inherits). */
export function registryErrorNames(): string[] {
  const names: string[] = [];
  registryInterface.forEachError((e) => names.push(e.name));
  return names;
}

function withSentence(r: Omit<DecodedRevert, "sentence">): DecodedRevert {
  return { ...r, sentence: revertSentence(r) };
}

function revertData(error: unknown): string | undefined {
  // ethers puts the revert data on CALL_EXCEPTION; some nodes nest it in `info.error.data` or `error.data`.
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const e = stack.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    const data = o.data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
    if (data && typeof data === "object") stack.push(data);
    for (const key of ["error", "info", "cause", "revert"]) if (o[key]) stack.push(o[key]);
  }
  return undefined;
}

/** Decodes the registry's (and OpenZeppelin's) custom error from an ethers error; undefined when it is not a revert. */
export function decodeRegistryError(error: unknown): DecodedRevert | undefined {
  const data = revertData(error);
  if (!data) {
    if (isError(error, "CALL_EXCEPTION")) {
      return withSentence({ name: "UnknownRevert", args: {}, message: error.shortMessage, data: "0x" });
    }
    return undefined;
  }
  let parsed: ErrorDescription | null = null;
  try {
    parsed = registryInterface.parseError(data);
  } catch {
    parsed = null;
  }
  if (!parsed) {
    return withSentence({ name: "UnknownRevert", args: {}, message: `reverted with data ${data.slice(0, 74)}`, data });
  }
  const args: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    args[input.name || String(i)] = String(parsed.args[i]);
  });
  const list = Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return withSentence({ name: parsed.name, args, message: `${parsed.name}(${list})`, data });
}

/**
 * Whether an error is worth retrying: the node was unreachable, timed out or failed on its side. A revert is
 * never transient.
 */
export function isTransientError(error: unknown): boolean {
  if (decodeRegistryError(error)) return false;
  if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT") || isError(error, "SERVER_ERROR")) return true;
  const text = causeText(error);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket hang up|fetch failed|network|timeout|503|502|504/i.test(
    text,
  );
}
