/**
 * Reads a registry from the chain alone — contract state and event logs, never the registry's API or database —
 * and answers wire-ready verifications (verification.ts) with their statement of checks (checks.ts). The SDK's
 * `verifyRetirement` / `verifyBatch` use one reader per call; the registry's own API and CLI keep one reader per
 * process (core/chain/reads.ts), with a per-block cache and remembered event locations.
 *
 * Events are found in bounded eth_getLogs ranges (logs.ts), so the reads work through nodes that cap ranges as
 * Besu does.
 */
import { getAddress, isError, ZeroAddress, type Provider } from "ethers";

import { claimTextHash, batchChecks, deviceInclusionCheck, retirementChecks, statementOf } from "./checks.ts";
import { CATEGORY_CODES, CATEGORY_NAMES, type Category } from "./enums.ts";
import { CodedError } from "./errors.ts";
import { LogRanges } from "./logs.ts";
import { registryAt, type ITECRegistry } from "./registry.ts";
import { isoTime } from "./time.ts";
import { gramsToKg } from "./units.ts";
import type {
  BatchVerification,
  ChainBatch,
  ChainPoint,
  DeviceVerification,
  RetirementVerification,
} from "./verification.ts";

const isoDay = (unix: bigint | number) => isoTime(unix).slice(0, 10);

/** The two sequentially numbered events the reader looks up by id. */
export type LocatedKind = "batch" | "retirement";

/**
 * A per-block cache (the registry's HeadCache is one): `get` loads a key once per block, and `head` is the block
 * the values it holds belong to.
 */
export interface ReadCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
  readonly head: number;
}

export interface RegistryReaderOptions {
  /** The chain's id when known (otherwise asked of the provider once). */
  chainId?: bigint | undefined;
  /** A block at or before the registry's deployment: no event is searched for before it (default 0). */
  fromBlock?: number | undefined;
  /**
   * Most blocks per eth_getLogs call (default 5000, Besu's default `--rpc-max-logs-range`); halved for good
   * when the node still refuses a range. Never more than the node's cap is needed, only fewer calls.
   */
  maxLogRange?: number | undefined;
  /** eth_getLogs calls in flight at once while searching for an event (default 4). */
  logConcurrency?: number | undefined;
  /**
   * Where an event probably is: the block of batch `id`'s BatchIssued or retirement `id`'s CertificatesRetired,
   * e.g. from the API's event index. Only narrows the search: the event is still read from the chain, and a wrong
   * or missing hint costs one eth_getLogs call.
   */
  hint?: ((kind: LocatedKind, id: bigint) => Promise<number | null | undefined>) | undefined;
  /** Caches reads per block (default: none; `checkedAtBlock` is then the latest block when the answer is made). */
  cache?: ReadCache | undefined;
}

/** Why a read found nothing: no such id on the registry, or a node that returned no latest block. */
export class RegistryReadError extends CodedError<"NOT_FOUND" | "NO_BLOCK"> {}

/** Event locations remembered across blocks (they never move on a final chain), per kind. */
const MAX_LOCATIONS = 10_000;

export class RegistryReader {
  readonly provider: Provider;
  /** The registry contract, checksummed. */
  readonly address: string;
  readonly registry: ITECRegistry;
  readonly fromBlock: number;
  readonly logs: LogRanges;
  readonly #hint: RegistryReaderOptions["hint"];
  readonly #cache: ReadCache | undefined;
  #chainId: bigint | undefined;
  /** id → block of its event, as last found; checked with a one-block query before it is trusted. */
  readonly #located: Record<LocatedKind, Map<bigint, number>> = { batch: new Map(), retirement: new Map() };

  constructor(provider: Provider, registryAddress: string, options: RegistryReaderOptions = {}) {
    this.provider = provider;
    this.address = getAddress(registryAddress);
    this.registry = registryAt(this.address, provider);
    this.fromBlock = options.fromBlock ?? 0;
    this.logs = new LogRanges({ maxRange: options.maxLogRange, concurrency: options.logConcurrency });
    this.#hint = options.hint;
    this.#cache = options.cache;
    this.#chainId = options.chainId;
  }

  /** Batch `id` as stored on-chain, plus its issuance event (hashes, auditors, tx). NOT_FOUND when unknown. */
  batch(id: bigint): Promise<ChainBatch> {
    return this.#cached(`batch:${id}`, async () => {
      const r = this.registry;
      let b;
      try {
        b = await r.batch(id);
      } catch (error) {
        throw await this.#notFoundOr(
          error,
          "ITECUnknownBatch",
          id,
          () => r.batchCount(),
          `no batch #${id} on the registry`,
        );
      }
      const [methodology, issued] = await Promise.all([r.methodology(b.methodologyId), this.#batchIssued(id, b)]);
      const block = issued ? await this.provider.getBlock(issued.blockNumber) : null;
      const category = CATEGORY_NAMES[Number(b.category)] ?? `category-${b.category}`;
      return {
        batchId: id.toString(),
        category,
        issued: b.issued.toString(),
        retired: b.retired.toString(),
        outstanding: (b.issued - b.retired).toString(),
        suspended: b.suspended,
        baselineKgPerDevice: gramsToKg(b.baselineGrams),
        reductionKgPerDevice: gramsToKg(b.reductionGrams),
        certifiedIntensityKgPerDevice: gramsToKg(b.baselineGrams - b.reductionGrams),
        baselineGrams: b.baselineGrams.toString(),
        reductionGrams: b.reductionGrams.toString(),
        vintageStart: isoDay(b.vintageStart),
        vintageEnd: isoDay(b.vintageEnd),
        methodology: methodology.name,
        parameters: methodology.parameters,
        owner: issued ? getAddress(issued.args.owner) : null,
        reportHash: issued?.args.reportHash ?? null,
        referenceDataHash: issued?.args.referenceDataHash ?? null,
        deviceRoot: issued?.args.deviceRoot ?? null,
        evidenceURI: issued?.args.evidenceURI ?? null,
        auditors: issued ? issued.args.auditors.map((a) => getAddress(a)) : [],
        issuance: issued
          ? {
              txHash: issued.transactionHash,
              blockNumber: issued.blockNumber,
              timestamp: block ? isoTime(block.timestamp) : null,
            }
          : null,
      };
    });
  }

  /**
   * A retirement verified from the chain alone: the stored claim, the texts from its event bound to the stored
   * claim hash, the batch's figures and issuance proof, and a statement of what was checked.
   */
  verifyRetirement(id: bigint): Promise<RetirementVerification> {
    return this.#cached(`verify:${id}`, async () => {
      const r = this.registry;
      let claim;
      try {
        claim = await r.retirement(id);
      } catch (error) {
        throw await this.#notFoundOr(
          error,
          "ITECUnknownRetirement",
          id,
          () => r.retirementCount(),
          `no retirement #${id} on the registry`,
        );
      }
      // The batch first: its issuance block is the earliest the retirement can be in.
      const batch = await this.batch(claim.batchId);
      const event = await this.#certificatesRetired(id, batch.issuance?.blockNumber ?? this.fromBlock);
      const block = event ? await this.provider.getBlock(event.blockNumber) : null;
      const name = event?.args.beneficiaryName ?? null;
      const purpose = event?.args.purpose ?? null;
      const reportBatch = await this.#reportBatch(batch);
      const checks = retirementChecks({
        retirementId: id,
        registry: this.address,
        claimHash: claim.claimHash,
        textHash: name !== null && purpose !== null ? claimTextHash(name, purpose) : null,
        retired: event ? { txHash: event.transactionHash, blockNumber: event.blockNumber } : null,
        batch,
        reportBatch,
      });
      const chain = await this.#chainPoint();
      const amount = claim.amount;
      const reductionGrams = BigInt(batch.reductionGrams) * amount;
      return {
        retirementId: id.toString(),
        verified: checks.every((c) => c.passed),
        chain,
        claim: {
          account: getAddress(claim.account),
          operator: event ? getAddress(event.args.operator) : null,
          beneficiaryName: name,
          beneficiary: claim.beneficiary === ZeroAddress ? null : getAddress(claim.beneficiary),
          onBehalf:
            name !== null && claim.beneficiary !== ZeroAddress
              ? getAddress(claim.beneficiary) !== getAddress(claim.account)
              : null,
          amount: amount.toString(),
          periodStart: isoTime(claim.periodStart),
          periodEnd: isoTime(claim.periodEnd),
          scope3Category: Number(claim.scope3Category),
          purpose,
          claimHash: claim.claimHash,
        },
        proof: event
          ? {
              txHash: event.transactionHash,
              blockNumber: event.blockNumber,
              blockHash: event.blockHash,
              timestamp: block ? isoTime(block.timestamp) : null,
            }
          : null,
        batch,
        totals: {
          certificates: amount.toString(),
          unit: "I-TEC = one verified refurbished device",
          reductionKgClaimed: gramsToKg(reductionGrams),
        },
        checks,
        statement: statementOf(chain.chainId, chain.checkedAtBlock, this.address, checks),
      };
    });
  }

  /** A batch verified from the chain alone: its figures and issuance proof, and the batch's checks. */
  verifyBatch(id: bigint): Promise<BatchVerification> {
    return this.#cached(`verify-batch:${id}`, async () => {
      const batch = await this.batch(id);
      const checks = batchChecks(batch, await this.#reportBatch(batch));
      const chain = await this.#chainPoint();
      return {
        batchId: batch.batchId,
        verified: checks.every((c) => c.passed),
        chain,
        batch,
        checks,
        statement: statementOf(chain.chainId, chain.checkedAtBlock, this.address, checks),
      };
    });
  }

  /**
   * Batch `batchId` verified, and device `deviceId` at index `index` shown to be one of its devices by `proof`
   * (sibling hashes from leaf `[index, deviceId]` up, as `StandardMerkleTree.getProof(index)` gives them) against the
   * device root of its BatchIssued event, with the index below the batch's certificates (device-proof.ts).
   */
  async verifyDeviceInBatch(
    batchId: bigint,
    index: number | bigint,
    deviceId: string,
    proof: readonly string[],
  ): Promise<DeviceVerification> {
    const v = await this.verifyBatch(batchId);
    const checks = [...v.checks, deviceInclusionCheck(v.batch, index, deviceId, proof)];
    return {
      ...v,
      verified: checks.every((c) => c.passed),
      checks,
      statement: statementOf(v.chain.chainId, v.chain.checkedAtBlock, this.address, checks),
      deviceId,
      deviceIndex: index.toString(),
    };
  }

  /** The registry's chain id (asked of the provider once unless given). */
  async chainId(): Promise<bigint> {
    this.#chainId ??= (await this.provider.getNetwork()).chainId;
    return this.#chainId;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------------------------

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.#cache ? this.#cache.get(key, load) : load();
  }

  async #chainPoint(): Promise<ChainPoint> {
    const chainId = await this.chainId();
    const checkedAtBlock = this.#cache ? this.#cache.head : await this.provider.getBlockNumber();
    return { chainId: chainId.toString(), registry: this.address, checkedAtBlock };
  }

  /** The batch the registry indexes under the batch's report hash and category (0 when the hash is unknown). */
  async #reportBatch(batch: ChainBatch): Promise<bigint> {
    if (batch.reportHash === null) return 0n;
    const code =
      CATEGORY_CODES[batch.category as Category] ?? Number(/^category-(\d+)$/.exec(batch.category)?.[1] ?? 0);
    return this.registry.batchOfReport(batch.reportHash, code);
  }

  /**
   * NOT_FOUND when `error` is the registry's "unknown id" revert (or any revert for an id beyond the count);
   * anything else goes on as it is.
   */
  async #notFoundOr(
    error: unknown,
    errorName: string,
    id: bigint,
    count: () => Promise<bigint>,
    detail: string,
  ): Promise<unknown> {
    const notFound = () => new RegistryReadError("NOT_FOUND", detail, { cause: error });
    if ((error as { revert?: { name?: unknown } | null } | null)?.revert?.name === errorName) return notFound();
    if (isError(error, "CALL_EXCEPTION")) {
      const n = await count().catch(() => undefined);
      if (n !== undefined && (id < 1n || id > n)) return notFound();
    }
    return error;
  }

  async #latestBlock(): Promise<{ number: number; timestamp: number }> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new RegistryReadError("NO_BLOCK", "the node returned no latest block");
    return { number: block.number, timestamp: block.timestamp };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Finding one event in bounded eth_getLogs ranges
  // -------------------------------------------------------------------------------------------------------------

  /** BatchIssued of batch `id`, or undefined when the searched blocks do not hold it. */
  async #batchIssued(id: bigint, stored: { vintageEnd: bigint }) {
    const r = this.registry;
    const head = await this.#latestBlock();
    const one = (from: number, to: number) => r.queryFilter(r.filters.BatchIssued(id), from, to);
    const hit = await this.#atKnownBlock("batch", id, head.number, one);
    if (hit) return hit;
    // Issuance requires vintageEnd ≤ block.timestamp: no earlier block can hold it.
    const [lo, count] = await Promise.all([this.#firstBlockAt(Number(stored.vintageEnd), head), r.batchCount()]);
    return this.#locate("batch", id, lo, head.number, count, {
      probe: (from, to) => r.queryFilter(r.filters.BatchIssued(), from, to),
      idOf: (e) => e.args.batchId,
    });
  }

  /** CertificatesRetired of retirement `id` (not before block `notBefore`), or undefined when not found. */
  async #certificatesRetired(id: bigint, notBefore: number) {
    const r = this.registry;
    const head = await this.#latestBlock();
    const one = (from: number, to: number) => r.queryFilter(r.filters.CertificatesRetired(id), from, to);
    const hit = await this.#atKnownBlock("retirement", id, head.number, one);
    if (hit) return hit;
    const count = await r.retirementCount();
    return this.#locate("retirement", id, Math.max(this.fromBlock, notBefore), head.number, count, {
      probe: (from, to) => r.queryFilter(r.filters.CertificatesRetired(), from, to),
      idOf: (e) => e.args.retirementId,
    });
  }

  /** The event at the block remembered for it (or hinted), checked with one one-block query. */
  async #atKnownBlock<T>(
    kind: LocatedKind,
    id: bigint,
    head: number,
    one: (from: number, to: number) => Promise<T[]>,
  ): Promise<T | undefined> {
    let block = this.#located[kind].get(id);
    if (block === undefined && this.#hint) {
      block = (await this.#hint(kind, id).catch(() => undefined)) ?? undefined;
    }
    if (block === undefined || !Number.isSafeInteger(block) || block < this.fromBlock || block > head) return undefined;
    const [event] = await one(block, block);
    if (event) this.#remember(kind, id, block);
    else this.#located[kind].delete(id);
    return event;
  }

  /** Searches `[lo, head]` for the event of sequential id `id` (see `LogRanges.locateSequential`). */
  async #locate<T extends { blockNumber: number }>(
    kind: LocatedKind,
    id: bigint,
    lo: number,
    head: number,
    count: bigint,
    of: { probe: (from: number, to: number) => Promise<T[]>; idOf: (event: T) => bigint },
  ): Promise<T | undefined> {
    // Interpolation anchors: the deployment (ids start after 0) and the head (ids end at count), or the nearest
    // events already located. They only choose where to look first.
    let below = { block: this.fromBlock - 1, id: 0n };
    let above = { block: head + 1, id: count + 1n };
    for (const [known, block] of this.#located[kind]) {
      if (known < id && known > below.id && block < head) below = { block, id: known };
      if (known > id && known < above.id && block <= head) above = { block, id: known };
    }
    return this.logs.locateSequential({
      target: id,
      lo,
      hi: head,
      below,
      above,
      probe: of.probe,
      idOf: of.idOf,
      seen: (e) => this.#remember(kind, of.idOf(e), e.blockNumber),
    });
  }

  #remember(kind: LocatedKind, id: bigint, block: number): void {
    const map = this.#located[kind];
    if (map.size >= MAX_LOCATIONS && !map.has(id)) map.clear();
    map.set(id, block);
  }

  /**
   * A block from which on an event needing `block.timestamp ≥ time` can be: every block before it is older than
   * `time` (block times never decrease). Interpolates on block times (QBFT's fixed period makes the first guess
   * good), aiming half a log range early, and stops once the bound is within about one log range of `time`, after at
   * most 4 header reads.
   */
  async #firstBlockAt(time: number, head: { number: number; timestamp: number }): Promise<number> {
    const span = this.logs.span;
    if (head.number - this.fromBlock <= span || head.timestamp < time) return this.fromBlock;
    const first = await this.provider.getBlock(this.fromBlock);
    if (!first || first.timestamp >= time) return this.fromBlock;
    let a = { number: first.number, timestamp: first.timestamp };
    let z = { number: head.number, timestamp: head.timestamp };
    for (let i = 0; i < 4 && z.number - a.number > span; i++) {
      const perBlock = Math.max(1e-3, (z.timestamp - a.timestamp) / (z.number - a.number));
      const blocksToGo = (time - a.timestamp) / perBlock;
      if (blocksToGo <= span) break;
      const guess = Math.min(z.number - 1, a.number + Math.max(1, Math.floor(blocksToGo - span / 2)));
      const block = await this.provider.getBlock(guess);
      if (!block) break;
      if (block.timestamp < time) a = { number: block.number, timestamp: block.timestamp };
      else z = { number: block.number, timestamp: block.timestamp };
    }
    return a.number + 1;
  }
}
