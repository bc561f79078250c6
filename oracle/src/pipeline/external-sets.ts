/**
 * The registered external device sets as the calculation needs them (docs/adr/0056): read from the chain at each
 * intake, each active set's list fetched from its source URI once, checked against its root and cached by root (a
 * root names exactly one list). A set whose list cannot be had or is not its root's stops the intake with
 * EXTERNAL_SET_UNAVAILABLE: never calculated as if the set did not exist.
 */
import type { ExternalClaim } from "../../../core/calc/index.ts";
import { DeviceMerkleTree } from "../../../core/calc/merkle.ts";
import { OracleError } from "../../../core/errors.ts";
import { firstLine } from "../../../sdk/src/errors.ts";
import { deviceListOf, ExternalSetError, readExternalSets } from "../../../sdk/src/external-sets.ts";
import type { OracleContext } from "./context.ts";

/** Fetches a URL's bytes (the oracle's default: the global `fetch`, 30 s timeout). */
export type FetchBytes = (url: string) => Promise<Uint8Array>;

async function defaultFetch(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Device id → the set that lists it, as plain pairs (they cross to a worker thread). */
export type Claims = readonly (readonly [string, ExternalClaim])[];

export class ExternalSets {
  readonly #ctx: OracleContext;
  readonly #fetch: FetchBytes;
  /** root → the list's ids (checked). */
  readonly #lists = new Map<string, readonly string[]>();

  constructor(ctx: OracleContext, fetchBytes: FetchBytes | undefined) {
    this.#ctx = ctx;
    this.#fetch = fetchBytes ?? defaultFetch;
  }

  /**
   * Every device id an active set lists, with the set (the lowest set id when several list it).
   * @throws OracleError CHAIN_UNAVAILABLE; EXTERNAL_SET_UNAVAILABLE when a set's list cannot be fetched, is not a
   *   list of device ids, or does not hash to the set's root
   */
  async claims(): Promise<Claims> {
    const { chain } = this.#ctx;
    const sets = await this.#ctx.chainCall(() => readExternalSets(chain.address, chain.provider));
    const claims = new Map<string, ExternalClaim>();
    for (const set of sets) {
      if (!set.active) continue;
      const root = set.root.toLowerCase();
      let ids = this.#lists.get(root);
      if (ids === undefined) {
        ids = await this.#load(set.setId, set.scheme, root, set.sourceURI);
        this.#lists.set(root, ids);
      }
      const claim: ExternalClaim = { setId: set.setId, root, scheme: set.scheme };
      for (const id of ids) if (!claims.has(id)) claims.set(id, claim);
    }
    return [...claims];
  }

  async #load(setId: number, scheme: string, root: string, sourceURI: string): Promise<readonly string[]> {
    const details = { setId, scheme, root, sourceURI };
    let bytes: Uint8Array;
    try {
      bytes = await this.#fetch(sourceURI);
    } catch (error) {
      throw new OracleError(
        "EXTERNAL_SET_UNAVAILABLE",
        `external device set ${setId} (${scheme}) could not be fetched from ${sourceURI}: ${firstLine(error)}`,
        { ...details, reason: "SET_UNREACHABLE" },
        { cause: error },
      );
    }
    try {
      const ids = deviceListOf(bytes, root, (ids) => DeviceMerkleTree.fromIds(ids).root);
      this.#ctx.log.info({ setId, scheme, devices: ids.length }, "external device set loaded");
      return ids;
    } catch (error) {
      if (!(error instanceof ExternalSetError)) throw error;
      throw new OracleError(
        "EXTERNAL_SET_UNAVAILABLE",
        `external device set ${setId} (${scheme}) from ${sourceURI} is unusable: ${error.message}`,
        { ...details, reason: error.code },
        { cause: error },
      );
    }
  }
}
