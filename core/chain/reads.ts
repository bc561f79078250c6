/**
 * What the API, the CLI and the documents read from the chain (the truth), never from a database: retirement claims with their
 * batch and proofs, batch details, balances, participants and roles. Values are wire-ready: uint256 and
 * decimals as strings, addresses checksummed, times ISO-8601 UTC.
 */
import { AbiCoder, getAddress, keccak256, ZeroAddress } from "ethers";

import { gramsToKg } from "../../sdk/src/units.ts";
import { CATEGORY_NAMES, kindName, statusName } from "../../sdk/src/enums.ts";
import { isoTime } from "../../sdk/src/time.ts";
import type { ChainClient } from "./client.ts";
import { ChainError, decodeRegistryError } from "./errors.ts";
import type { HeadCache } from "./head-cache.ts";
import { LogRanges, mapLimit } from "./logs.ts";


const isoDay = (unix: bigint | number) => isoTime(unix).slice(0, 10);

export interface Check {
  check: string;
  passed: boolean;
  detail: string;
}

/** The two sequentially numbered events the reads look up by id. */
export type LocatedKind = "batch" | "retirement";

export interface ChainReadsOptions {
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
}

/** Event locations remembered across blocks (they never move on a final chain), per kind. */
const MAX_LOCATIONS = 10_000;

export class ChainReads {
  readonly chain: ChainClient;
  readonly cache: HeadCache;
  readonly fromBlock: number;
  readonly logs: LogRanges;
  readonly #hint: ChainReadsOptions["hint"];
  /** id → block of its event, as last found; checked with a one-block query before it is trusted. */
  readonly #located: Record<LocatedKind, Map<bigint, number>> = { batch: new Map(), retirement: new Map() };

  constructor(chain: ChainClient, cache: HeadCache, fromBlock = 0, options: ChainReadsOptions = {}) {
    this.chain = chain;
    this.cache = cache;
    this.fromBlock = fromBlock;
    this.logs = new LogRanges({ maxRange: options.maxLogRange, concurrency: options.logConcurrency });
    this.#hint = options.hint;
  }

  /** Batch `id` as stored on-chain, plus its issuance event (hashes, auditors, tx). 404 when unknown. */
  batch(id: bigint) {
    return this.cache.get(`batch:${id}`, async () => {
      const r = this.chain.registry;
      let b;
      try {
        b = await r.batch(id);
      } catch (error) {
        throw notFoundOr(error, "ITECUnknownBatch", `no batch #${id} on the registry`);
      }
      const [methodology, issued] = await Promise.all([r.methodology(b.methodologyId), this.#batchIssued(id, b)]);
      const block = issued ? await this.chain.provider.getBlock(issued.blockNumber) : null;
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
  verifyRetirement(id: bigint) {
    return this.cache.get(`verify:${id}`, async () => {
      const r = this.chain.registry;
      let claim;
      try {
        claim = await r.retirement(id);
      } catch (error) {
        throw notFoundOr(error, "ITECUnknownRetirement", `no retirement #${id} on the registry`);
      }
      // The batch first: its issuance block is the earliest the retirement can be in.
      const batch = await this.batch(claim.batchId);
      const event = await this.#certificatesRetired(id, batch.issuance?.blockNumber ?? this.fromBlock);
      const block = event ? await this.chain.provider.getBlock(event.blockNumber) : null;
      const name = event?.args.beneficiaryName ?? null;
      const purpose = event?.args.purpose ?? null;
      const textHash =
        name !== null && purpose !== null
          ? keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [name, purpose]))
          : null;
      const reportBatch =
        batch.reportHash !== null
          ? await r.batchOfReport(
              batch.reportHash,
              Number(Object.entries(CATEGORY_NAMES).find(([, n]) => n === batch.category)?.[0] ?? 0),
            )
          : 0n;
      const amount = claim.amount;
      const checks: Check[] = [
        {
          check: "retirement stored in contract state",
          passed: true,
          detail: `retirement(${id}) on ${this.chain.address} returned the claim`,
        },
        {
          check: "claim texts bound to the stored hash",
          passed: textHash === claim.claimHash,
          detail: `keccak256(abi.encode(beneficiaryName, purpose)) ${textHash === claim.claimHash ? "equals" : "differs from"} the stored claimHash ${claim.claimHash}`,
        },
        {
          check: "certificates burned",
          passed: event !== undefined,
          detail: event
            ? `CertificatesRetired in tx ${event.transactionHash} (block ${event.blockNumber}); the tokens were burned in the same transaction`
            : "no CertificatesRetired event found",
        },
        {
          check: "batch issued against an audited attestation",
          passed: batch.issuance !== null && batch.auditors.length > 0,
          detail: batch.issuance
            ? `BatchIssued in tx ${batch.issuance.txHash}, signed by ${batch.auditors.join(", ")}`
            : "no BatchIssued event found",
        },
        {
          check: "report hash indexes this batch",
          passed: reportBatch === claim.batchId,
          detail: `batchOfReport(${batch.reportHash}, ${batch.category}) = ${reportBatch}`,
        },
        {
          check: "batch not suspended",
          passed: !batch.suspended,
          detail: batch.suspended
            ? "the batch is currently suspended (audit finding or duplicate-device proof)"
            : "the batch is in good standing",
        },
      ];
      const head = this.cache.head;
      const reductionGrams = BigInt(batch.reductionGrams) * amount;
      return {
        retirementId: id.toString(),
        verified: checks.every((c) => c.passed),
        chain: { chainId: this.chain.chainId.toString(), registry: this.chain.address, checkedAtBlock: head },
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
        statement:
          `Read from chain ${this.chain.chainId} at block ${head}, registry ${this.chain.address}: ` +
          checks.map((c) => `${c.passed ? "✓" : "✗"} ${c.check}`).join("; ") +
          ". Nothing in this answer comes from the registry's own database.",
      };
    });
  }

  /**
   * Retirement ids claimed for `account`, from the chain's state, in ascending order: those it is the beneficiary
   * account of, and those it retired itself without naming another beneficiary account. Retirement ids are
   * sequential (1…retirementCount) and every stored claim was written together with its CertificatesRetired event,
   * so no log query is needed here; `verifyRetirement` reads each one's event.
   */
  retirementIdsFor(account: string) {
    return this.cache.get(`retirementsFor:${account}`, async () => {
      const r = this.chain.registry;
      const count = await r.retirementCount();
      const all = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
      const claims = await mapLimit(all, 8, (id) => r.retirement(id));
      return all.filter((_, i) => {
        const claim = claims[i]!;
        const beneficiary = claim.beneficiary === ZeroAddress ? null : getAddress(claim.beneficiary);
        return beneficiary === account || (beneficiary === null && getAddress(claim.account) === account);
      });
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

  participant(account: string) {
    return this.cache.get(`participant:${account}`, async () => {
      const p = await this.chain.registry.participant(account);
      const [admin, auditor, issuer] = await Promise.all([
        this.chain.registry.hasRole(await this.chain.role("DEFAULT_ADMIN_ROLE"), account),
        this.chain.isAuditor(account),
        this.chain.registry.hasRole(await this.chain.role("ISSUER_ROLE"), account),
      ]);
      return {
        account,
        kind: kindName(p.kind),
        status: statusName(p.status),
        hasCode: p.hasCode,
        roles: { admin, auditor, issuer },
      };
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Finding one event in bounded eth_getLogs ranges
  // -------------------------------------------------------------------------------------------------------------

  /** BatchIssued of batch `id`, or undefined when the searched blocks do not hold it. */
  async #batchIssued(id: bigint, stored: { vintageEnd: bigint }) {
    const r = this.chain.registry;
    const head = await this.chain.latestBlock();
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
    const r = this.chain.registry;
    const head = await this.chain.latestBlock();
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
    const event = await this.logs.locateSequential({
      target: id,
      lo,
      hi: head,
      below,
      above,
      probe: of.probe,
      idOf: of.idOf,
      seen: (e) => this.#remember(kind, of.idOf(e), e.blockNumber),
    });
    return event;
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
    const first = await this.chain.provider.getBlock(this.fromBlock);
    if (!first || first.timestamp >= time) return this.fromBlock;
    let a = { number: first.number, timestamp: first.timestamp };
    let z = { number: head.number, timestamp: head.timestamp };
    for (let i = 0; i < 4 && z.number - a.number > span; i++) {
      const perBlock = Math.max(1e-3, (z.timestamp - a.timestamp) / (z.number - a.number));
      const blocksToGo = (time - a.timestamp) / perBlock;
      if (blocksToGo <= span) break;
      const guess = Math.min(z.number - 1, a.number + Math.max(1, Math.floor(blocksToGo - span / 2)));
      const block = await this.chain.provider.getBlock(guess);
      if (!block) break;
      if (block.timestamp < time) a = { number: block.number, timestamp: block.timestamp };
      else z = { number: block.number, timestamp: block.timestamp };
    }
    return a.number + 1;
  }
}

/** Turns the registry's "unknown id" revert into ChainError NOT_FOUND; anything else goes on as it is. */
function notFoundOr(error: unknown, errorName: string, detail: string): unknown {
  if (decodeRegistryError(error)?.name === errorName) return new ChainError("NOT_FOUND", detail, { cause: error });
  return error;
}
