/**
 * Reads a registry from the chain alone — contract state and event logs, never the registry's API or database —
 * and answers wire-ready verifications (verification.ts) with their statement of checks (checks.ts). The SDK's
 * `verifyRetirement` / `verifyBatch` use one reader per call; the registry's own API and CLI keep one reader per
 * process (core/chain/reads.ts), with a per-block cache and remembered event locations.
 *
 * What a retirement's verification costs does not grow with the registry: `retirement(id)` names the block of its
 * CertificatesRetired event, read with one single-block eth_getLogs on its id's topic. A batch's BatchIssued is read
 * with one eth_getLogs on its id's topic over the whole chain (the node answers from its bloom filters); through a
 * node that caps ranges (Besu's `--rpc-max-logs-range`) it is searched in bounded ranges instead (registry-events.ts).
 * The events of a reversal or a replacement are read only for a batch or claim that has one.
 */
import { getAddress, isError, ZeroAddress, type Provider } from "ethers";

import {
  batchChecks,
  batchStatusDetail,
  claimTextHash,
  deviceInclusionCheck,
  retirementChecks,
  retirementVerdict,
  statementOf,
} from "./checks.ts";
import { batchStatusName, CATEGORY_CODES, CATEGORY_NAMES, claimStatusName, type Category } from "./enums.ts";
import { CodedError } from "./errors.ts";
import { LogRanges } from "./logs.ts";
import { RegistryEvents } from "./registry-events.ts";
import { registryAt, type ITECRegistry } from "./registry.ts";
import { isoTime } from "./time.ts";
import { gramsToKg } from "./units.ts";
import type {
  AuditorSigner,
  BatchReversal,
  BatchVerification,
  ChainBatch,
  ChainPoint,
  ClaimReplacement,
  ClaimStanding,
  DeviceVerification,
  EventProof,
  RetirementVerification,
} from "./verification.ts";

const isoDay = (unix: bigint | number) => isoTime(unix).slice(0, 10);

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
   * Most blocks per eth_getLogs call once a node refused a whole-chain query (default 5000, Besu's default
   * `--rpc-max-logs-range`); halved for good when the node still refuses a range.
   */
  maxLogRange?: number | undefined;
  /** eth_getLogs calls in flight at once while searching a capping node for a batch's event (default 4). */
  logConcurrency?: number | undefined;
  /**
   * Where batch `batchId`'s BatchIssued probably is (its block), e.g. from the API's event index. Only narrows the
   * search: the event is still read from the chain, and a wrong or missing hint costs one eth_getLogs call.
   */
  hint?: ((batchId: bigint) => Promise<number | null | undefined>) | undefined;
  /** Caches reads per block (default: none; `checkedAtBlock` is then the latest block when the answer is made). */
  cache?: ReadCache | undefined;
}

/** Why a read found nothing: no such id on the registry, or a node that returned no latest block. */
export class RegistryReadError extends CodedError<"NOT_FOUND" | "NO_BLOCK"> {}

export class RegistryReader {
  readonly provider: Provider;
  /** The registry contract, checksummed. */
  readonly address: string;
  readonly registry: ITECRegistry;
  readonly fromBlock: number;
  readonly logs: LogRanges;
  readonly #events: RegistryEvents;
  readonly #cache: ReadCache | undefined;
  #chainId: bigint | undefined;

  constructor(provider: Provider, registryAddress: string, options: RegistryReaderOptions = {}) {
    this.provider = provider;
    this.address = getAddress(registryAddress);
    this.registry = registryAt(this.address, provider);
    this.fromBlock = options.fromBlock ?? 0;
    if (!Number.isSafeInteger(this.fromBlock) || this.fromBlock < 0) {
      throw new RangeError(`fromBlock must be a block number (an integer ≥ 0), got ${this.fromBlock}`);
    }
    this.logs = new LogRanges({ maxRange: options.maxLogRange, concurrency: options.logConcurrency });
    this.#events = new RegistryEvents({
      provider,
      registry: this.registry,
      logs: this.logs,
      fromBlock: this.fromBlock,
      hint: options.hint,
      latestBlock: () => this.#latestBlock(),
    });
    this.#cache = options.cache;
    this.#chainId = options.chainId;
  }

  /**
   * Batch `id` as stored on-chain — figures, status and why, totals — plus its issuance event (hashes, auditors and
   * the bodies they sign for, tx), its owner's name and, when reversed, its BatchReversed event. NOT_FOUND when
   * unknown.
   */
  batch(id: bigint): Promise<ChainBatch> {
    return this.#cached(`batch:${id}`, () => this.#loadBatch(id));
  }

  /**
   * A retirement verified from the chain alone: the stored claim and its status (verified, reversed or replaced),
   * the texts from its event bound to the stored claim hash, the batch it rests on with its figures and issuance
   * proof, the organisations' names, a verdict and a statement of what was checked.
   */
  verifyRetirement(id: bigint): Promise<RetirementVerification> {
    return this.#cached(`verify:${id}`, async () => {
      const r = this.registry;
      let claim;
      let status;
      try {
        [claim, status] = await Promise.all([r.retirement(id), r.claimStatus(id)]);
      } catch (error) {
        throw await this.#notFoundOr(
          error,
          "ITECUnknownRetirement",
          id,
          () => r.retirementCount(),
          `no retirement #${id} on the registry`,
        );
      }
      const account = getAddress(claim.account);
      const beneficiary = claim.beneficiary === ZeroAddress ? null : getAddress(claim.beneficiary);
      const replacements = Number(claim.replacements);
      // The claim's block holds its CertificatesRetired: one single-block read, whatever the registry's size.
      const retiredAt = Number(claim.blockNumber);
      const [event, batch, history, accountName, beneficiaryAccountName] = await Promise.all([
        this.#events.certificatesRetired(id, retiredAt),
        // Not replaced: the batch was issued before the retirement, so no later block can hold its issuance.
        this.#batch(status.batchId, replacements === 0 ? retiredAt : undefined),
        replacements > 0 ? this.#replacements(id, retiredAt) : Promise.resolve([]),
        this.#name(account),
        beneficiary ? this.#name(beneficiary) : Promise.resolve(null),
      ]);
      const operator = event ? getAddress(event.args.operator) : null;
      const [block, operatorName, reportBatch] = await Promise.all([
        event ? this.provider.getBlock(event.blockNumber) : null,
        operator === null ? null : operator === account ? accountName : this.#name(operator),
        this.#reportBatch(batch),
      ]);
      const name = event?.args.beneficiaryName ?? null;
      const purpose = event?.args.purpose ?? null;
      const claimStatus: ClaimStanding = {
        status: claimStatusName(status.status) as ClaimStanding["status"],
        batchId: status.batchId.toString(),
        originalBatchId: event ? event.args.batchId.toString() : (history[0]?.previousBatchId ?? null),
        replacements,
        history,
        owedBy:
          claimStatusName(status.status) === "reversed" && batch.owner !== null
            ? { account: batch.owner, name: batch.ownerName }
            : null,
      };
      const checks = retirementChecks({
        retirementId: id,
        registry: this.address,
        claimHash: claim.claimHash,
        textHash: name !== null && purpose !== null ? claimTextHash(name, purpose) : null,
        retired: event ? { txHash: event.transactionHash, blockNumber: event.blockNumber } : null,
        standing: claimStatus,
        batch,
        reportBatch,
      });
      const chain = await this.#chainPoint();
      const amount = claim.amount;
      const reductionGrams = BigInt(batch.reductionGrams) * amount;
      const claimView = {
        account,
        accountName,
        operator,
        operatorName,
        beneficiaryName: name,
        beneficiary,
        beneficiaryAccountName,
        onBehalf: name !== null && beneficiary !== null ? beneficiary !== account : null,
        amount: amount.toString(),
        periodStart: isoTime(claim.periodStart),
        periodEnd: isoTime(claim.periodEnd),
        scope3Category: Number(claim.scope3Category),
        purpose,
        claimHash: claim.claimHash,
      };
      const retirementId = id.toString();
      return {
        retirementId,
        verified: checks.every((c) => c.passed),
        ...retirementVerdict({ retirementId, claim: claimView, claimStatus, batch, checks }),
        claimStatus,
        chain,
        claim: claimView,
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

  /** A batch verified from the chain alone: its figures, status, issuance proof and the batch's checks. */
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

  /** `batch(id)`, telling the search for its issuance that no block after `notAfter` holds it. */
  #batch(id: bigint, notAfter: number | undefined): Promise<ChainBatch> {
    return this.#cached(`batch:${id}`, () => this.#loadBatch(id, notAfter));
  }

  async #loadBatch(id: bigint, notAfter?: number): Promise<ChainBatch> {
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
    const status = batchStatusName(b.status) as ChainBatch["status"];
    const [methodology, issued, hold, totals] = await Promise.all([
      r.methodology(b.methodologyId),
      this.#events.batchIssued(id, b, notAfter),
      r.batchHold(id),
      r.batchTotals(id),
    ]);
    const owner = issued ? getAddress(issued.args.owner) : null;
    const auditors = issued ? issued.args.auditors.map((a) => getAddress(a)) : [];
    const [block, ownerName, signers, reversal] = await Promise.all([
      issued ? this.provider.getBlock(issued.blockNumber) : null,
      owner ? this.#name(owner) : null,
      Promise.all(auditors.map((a) => this.#signer(a))),
      status === "reversed"
        ? this.#reversal(id, issued?.blockNumber ?? this.fromBlock, totals.cancelled)
        : Promise.resolve(null),
    ]);
    const category = CATEGORY_NAMES[Number(b.category)] ?? `category-${b.category}`;
    const holdView = { adminSuspended: hold.adminSuspended, openChallenges: Number(hold.openChallenges) };
    return {
      batchId: id.toString(),
      category,
      issued: totals.issued.toString(),
      retired: totals.retired.toString(),
      outstanding: totals.outstanding.toString(),
      cancelled: totals.cancelled.toString(),
      status,
      hold: holdView,
      statusDetail: batchStatusDetail({
        status,
        hold: holdView,
        reversal,
        owner: owner ? { account: owner, name: ownerName } : null,
      }),
      reversal,
      baselineKgPerDevice: gramsToKg(b.baselineGrams),
      reductionKgPerDevice: gramsToKg(b.reductionGrams),
      certifiedIntensityKgPerDevice: gramsToKg(b.baselineGrams - b.reductionGrams),
      baselineGrams: b.baselineGrams.toString(),
      reductionGrams: b.reductionGrams.toString(),
      vintageStart: isoDay(b.vintageStart),
      vintageEnd: isoDay(b.vintageEnd),
      methodology: methodology.name,
      parameters: methodology.parameters,
      owner,
      ownerName,
      reportHash: issued?.args.reportHash ?? null,
      referenceDataHash: issued?.args.referenceDataHash ?? null,
      deviceRoot: issued?.args.deviceRoot ?? null,
      sampleHash: issued?.args.sampleHash ?? null,
      evidenceURI: issued?.args.evidenceURI ?? null,
      auditors,
      signers,
      issuance: issued
        ? {
            txHash: issued.transactionHash,
            blockNumber: issued.blockNumber,
            timestamp: block ? isoTime(block.timestamp) : null,
          }
        : null,
    };
  }

  /** The organisation name the register gives `account` (null when it is not an admitted participant). */
  #name(account: string): Promise<string | null> {
    return this.#cached(`name:${account}`, async () => {
      const p = await this.registry.participant(account);
      return p.kind === 0n || p.name === "" ? null : p.name;
    });
  }

  /** The auditing body `auditor` is accredited for now, and its name. */
  #signer(auditor: string): Promise<AuditorSigner> {
    return this.#cached(`signer:${auditor}`, async () => {
      const a = await this.registry.accreditation(auditor);
      const bodyId = Number(a.bodyId);
      if (bodyId === 0) return { auditor, bodyId: null, body: null };
      return { auditor, bodyId, body: (await this.registry.auditorBody(bodyId)).name };
    });
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

  async #eventProof(e: { transactionHash: string; blockNumber: number }): Promise<EventProof> {
    const block = await this.provider.getBlock(e.blockNumber);
    return {
      txHash: e.transactionHash,
      blockNumber: e.blockNumber,
      timestamp: block ? isoTime(block.timestamp) : null,
    };
  }

  /** The claim's replacements, oldest first, with the holders' names. */
  async #replacements(id: bigint, retiredAt: number): Promise<ClaimReplacement[]> {
    const events = await this.#events.retirementReplaced(id, retiredAt);
    return Promise.all(
      events.map(async (e) => {
        const holder = getAddress(e.args.holder);
        const [event, name] = await Promise.all([this.#eventProof(e), this.#name(holder)]);
        return {
          previousBatchId: e.args.previousBatchId.toString(),
          batchId: e.args.batchId.toString(),
          holder: { account: holder, name },
          operator: getAddress(e.args.operator),
          event,
        };
      }),
    );
  }

  /** A reversed batch's reversal: `cancelled` from state, the rest from its BatchReversed event. */
  async #reversal(id: bigint, notBefore: number, cancelled: bigint): Promise<BatchReversal> {
    const e = await this.#events.batchReversed(id, notBefore);
    if (!e) {
      return {
        cancelled: cancelled.toString(),
        retiredReversed: null,
        reason: null,
        evidenceURI: null,
        admin: null,
        event: null,
      };
    }
    return {
      cancelled: cancelled.toString(),
      retiredReversed: e.args.retiredReversed.toString(),
      reason: e.args.reason,
      evidenceURI: e.args.evidenceURI === "" ? null : e.args.evidenceURI,
      admin: getAddress(e.args.admin),
      event: await this.#eventProof(e),
    };
  }
}
