/**
 * What the API, the CLI and the documents read from the chain (the truth), never from a database: retirement claims with their
 * status, batch and proofs, batch details, balances, participants with their names, roles and accreditation. Values are wire-ready: uint256 and
 * decimals as strings, addresses checksummed, times ISO-8601 UTC.
 *
 * Batches and verifications are the SDK's (sdk/src/reader.ts, one definition of the statement of checks): here they
 * get the per-block cache and remembered event locations of a long-running process, and the chain adapter's errors.
 * Claims reports (core/claims) read stored claims, their events in bulk and register entries here, and — without an
 * event index — scan the chain for every retirement and admission.
 */
import { getAddress, ZeroAddress } from "ethers";

import { CATEGORY_CODES, categoriesOfMask, kindName, statusName, type Category } from "../../sdk/src/enums.ts";
import { mapLimit, type LogRanges } from "../../sdk/src/logs.ts";
import { RegistryReadError, RegistryReader, type RegistryReaderOptions } from "../../sdk/src/reader.ts";
import { isoTime } from "../../sdk/src/time.ts";
import type {
  BatchVerification,
  ChainBatch,
  DeviceVerification,
  RetirementVerification,
} from "../../sdk/src/verification.ts";
import type { ChainClient } from "./client.ts";
import { ChainError } from "./errors.ts";
import type { HeadCache } from "./head-cache.ts";

/** Ids per eth_getLogs of `retirementEvents` (topic lists a node takes without complaint). */
const IDS_PER_LOG_QUERY = 100;
/** Batch locations `hintBatchBlocks` remembers. */
const MAX_HINTS = 10_000;

/** How events are searched for (see `RegistryReaderOptions`). */
export type ChainReadsOptions = Pick<RegistryReaderOptions, "maxLogRange" | "logConcurrency" | "hint">;

export class ChainReads {
  readonly chain: ChainClient;
  readonly cache: HeadCache;
  readonly fromBlock: number;
  readonly #reader: RegistryReader;
  /** Batch id → block of its BatchIssued, given by `hintBatchBlocks` (the index's event locations). */
  readonly #hints = new Map<bigint, number>();

  constructor(chain: ChainClient, cache: HeadCache, fromBlock = 0, options: ChainReadsOptions = {}) {
    this.chain = chain;
    this.cache = cache;
    this.fromBlock = fromBlock;
    const given = options.hint;
    this.#reader = new RegistryReader(chain.provider, chain.address, {
      ...options,
      hint: async (id) => this.#hints.get(id) ?? (given ? await given(id) : undefined),
      chainId: chain.chainId,
      fromBlock,
      cache,
    });
  }

  /** The bounded eth_getLogs ranges the event searches use. */
  get logs(): LogRanges {
    return this.#reader.logs;
  }

  /** Batch `id` as stored on-chain, plus its issuance event (hashes, auditors, tx). ChainError NOT_FOUND when unknown. */
  batch(id: bigint): Promise<ChainBatch> {
    return chainErrors(this.#reader.batch(id));
  }

  /**
   * A retirement verified from the chain alone: the stored claim, the texts from its event bound to the stored
   * claim hash, the batch's figures and issuance proof, and a statement of what was checked.
   */
  verifyRetirement(id: bigint): Promise<RetirementVerification> {
    return chainErrors(this.#reader.verifyRetirement(id));
  }

  /** A batch verified from the chain alone: its figures, issuance proof and the batch's checks. */
  verifyBatch(id: bigint): Promise<BatchVerification> {
    return chainErrors(this.#reader.verifyBatch(id));
  }

  /** Batch `batchId` verified, and device `deviceId` at index `index` shown by `proof` to be one of its devices. */
  verifyDeviceInBatch(
    batchId: bigint,
    index: number | bigint,
    deviceId: string,
    proof: readonly string[],
  ): Promise<DeviceVerification> {
    return chainErrors(this.#reader.verifyDeviceInBatch(batchId, index, deviceId, proof));
  }

  /**
   * Retirement `id`'s stored claim (`retirement(id)`): one eth_call, cached per block. Raw values (the reads of
   * claims reports, core/claims/verify-claims.ts, build on them). Reverts for an unknown id.
   */
  storedClaim(id: bigint) {
    return this.cache.get(`claim:${id}`, () => this.chain.registry.retirement(id));
  }

  /** `batchOfReport(reportHash, category)` of a batch read with `batch()` (0 when the hash is unknown). */
  reportBatch(batch: Pick<ChainBatch, "batchId" | "category" | "reportHash">): Promise<bigint> {
    if (batch.reportHash === null) return Promise.resolve(0n);
    const hash = batch.reportHash;
    const code =
      CATEGORY_CODES[batch.category as Category] ?? Number(/^category-(\d+)$/.exec(batch.category)?.[1] ?? 0);
    return this.cache.get(`reportBatch:${batch.batchId}`, () => this.chain.registry.batchOfReport(hash, code));
  }

  /**
   * The CertificatesRetired events of retirements `items` (each with the block its stored claim names), by id: ONE
   * eth_getLogs per up to 100 ids on the ids' topics — over their blocks' span, or, through a node that caps ranges,
   * in bounded ranges. An event found at another block than the claim names is left out (as the one-block read of
   * `verifyRetirement` would not find it).
   */
  async retirementEvents(items: readonly { id: bigint; block: number }[]) {
    const r = this.chain.registry;
    const byId = new Map(items.map((i) => [i.id, i.block]));
    const sorted = [...items].filter((i) => i.block > 0).sort((a, b) => a.block - b.block);
    const chunks: (typeof sorted)[] = [];
    for (const item of sorted) {
      const last = chunks.at(-1);
      const fits =
        last && last.length < IDS_PER_LOG_QUERY && (!this.logs.capped || item.block - last[0]!.block < this.logs.span);
      if (fits) last.push(item);
      else chunks.push([item]);
    }
    const found = await mapLimit(chunks, this.logs.concurrency, (chunk) =>
      this.logs.wide(chunk[0]!.block, chunk.at(-1)!.block, (from, to) =>
        // An array is a topic OR-list (ethers encodes each; the typechain signature takes one value).
        r.queryFilter(r.filters.CertificatesRetired(chunk.map((c) => c.id) as unknown as bigint), from, to),
      ),
    );
    const events = new Map<bigint, (typeof found)[number][number]>();
    for (const e of found.flat()) {
      const id = e.args.retirementId;
      if (byId.get(id) === e.blockNumber) events.set(id, e);
    }
    return events;
  }

  /**
   * Where batches' BatchIssued events are, e.g. from the event index: hints for the batch reads (each still read
   * from the chain with a one-block query; a wrong hint costs one more call). Remembered up to 10,000 batches.
   */
  hintBatchBlocks(entries: Iterable<readonly [bigint, number]>): void {
    for (const [id, block] of entries) {
      if (this.#hints.size >= MAX_HINTS && !this.#hints.has(id)) this.#hints.clear();
      this.#hints.set(id, block);
    }
  }

  /** `account`'s entry on the register: status ("none" when never admitted) and organisation name, cached per block. */
  registerEntry(account: string) {
    return this.cache.get(`register:${account}`, async () => {
      const p = await this.chain.registry.participant(account);
      return { account, status: statusName(p.status), name: p.name === "" ? null : p.name };
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Chain scans: a claims report's fallback without an event index (every retirement and admission, N calls)
  // -------------------------------------------------------------------------------------------------------------

  /** Every stored claim's parties: `retirementCount()`, then `retirement(id)` for each id (sequential 1…count). */
  scanClaims() {
    return this.cache.get("scan:claims", async () => {
      const r = this.chain.registry;
      const count = await r.retirementCount();
      const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
      const claims = await mapLimit(ids, 8, (id) => this.storedClaim(id));
      return ids.map((id, i) => {
        const c = claims[i]!;
        return {
          retirementId: id,
          account: getAddress(c.account),
          beneficiary: c.beneficiary === ZeroAddress ? null : getAddress(c.beneficiary),
          blockNumber: Number(c.blockNumber),
        };
      });
    });
  }

  /** Every account ever admitted to the register, from the ParticipantAdmitted events of the whole chain. */
  scanAdmitted() {
    return this.cache.get("scan:admitted", async () => {
      const r = this.chain.registry;
      const head = this.cache.head >= 0 ? this.cache.head : await this.chain.provider.getBlockNumber();
      const events = await this.logs.wide(this.fromBlock, head, (from, to) =>
        r.queryFilter(r.filters.ParticipantAdmitted(), from, to),
      );
      return [...new Set(events.map((e) => getAddress(e.args.account)))];
    });
  }

  /** Balances of `account` for `batchIds`, from the chain (balanceOfBatch), nonzero only. */
  balances(account: string, batchIds: readonly bigint[]) {
    const key = `balances:${account}:${batchIds.join(",")}`;
    return this.cache.get(key, async () => {
      if (batchIds.length === 0) return [];
      const amounts = await this.chain.registry.balanceOfBatch(
        batchIds.map(() => account),
        [...batchIds],
      );
      return batchIds
        .map((id, i) => ({ batchId: id.toString(), amount: amounts[i]!.toString() }))
        .filter((b) => b.amount !== "0");
    });
  }

  /**
   * An account's standing on the register: kind, status and organisation name, whether it has code (a contract
   * wallet: ERC-1271 signatures), its roles (admin, issuer, auditor = accredited now) and its accreditation.
   */
  participant(account: string) {
    return this.cache.get(`participant:${account}`, async () => {
      const r = this.chain.registry;
      const [p, hasCode, admin, auditor, issuer, a] = await Promise.all([
        r.participant(account),
        this.chain.hasCode(account),
        this.chain.role("DEFAULT_ADMIN_ROLE").then((role) => r.hasRole(role, account)),
        this.chain.isAuditor(account),
        this.chain.role("ISSUER_ROLE").then((role) => r.hasRole(role, account)),
        r.accreditation(account),
      ]);
      const bodyId = Number(a.bodyId);
      return {
        account,
        kind: kindName(p.kind),
        status: statusName(p.status),
        name: p.name === "" ? null : p.name,
        hasCode,
        roles: { admin, auditor, issuer },
        accreditation:
          bodyId === 0
            ? null
            : {
                bodyId,
                body: (await r.auditorBody(bodyId)).name,
                categories: categoriesOfMask(a.categories),
                validFrom: isoTime(a.validFrom),
                validUntil: isoTime(a.validUntil),
              },
      };
    });
  }
}

/** The SDK reader's NOT_FOUND / NO_BLOCK as the chain adapter's ChainError (the API maps it to 404 / 500). */
async function chainErrors<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof RegistryReadError) throw new ChainError(error.code, error.message, { cause: error.cause });
    throw error;
  }
}
