/**
 * What the API, the CLI and the documents read from the chain (the truth), never from a database: retirement claims with their
 * batch and proofs, batch details, balances, participants and roles. Values are wire-ready: uint256 and
 * decimals as strings, addresses checksummed, times ISO-8601 UTC.
 */
import { AbiCoder, getAddress, keccak256, ZeroAddress } from "ethers";

import { gramsToKg } from "../methodology/index.ts";
import { CATEGORY_NAMES, PARTICIPANT_STATUS } from "./attestation.ts";
import type { ChainClient } from "./client.ts";
import { ChainError, decodeRegistryError } from "./errors.ts";
import type { HeadCache } from "./head-cache.ts";

const KINDS = ["none", "refurbisher", "itad", "corporate", "trader"] as const;

const iso = (unix: bigint | number) => new Date(Number(unix) * 1000).toISOString();
const isoDay = (unix: bigint | number) => iso(unix).slice(0, 10);

export interface Check {
  check: string;
  passed: boolean;
  detail: string;
}

export class ChainReads {
  readonly chain: ChainClient;
  readonly cache: HeadCache;
  readonly fromBlock: number;

  constructor(chain: ChainClient, cache: HeadCache, fromBlock = 0) {
    this.chain = chain;
    this.cache = cache;
    this.fromBlock = fromBlock;
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
      const [methodology, logs] = await Promise.all([
        r.methodology(b.methodologyId),
        r.queryFilter(r.filters.BatchIssued(id), this.fromBlock, "latest"),
      ]);
      const issued = logs[0];
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
              timestamp: block ? iso(block.timestamp) : null,
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
      const [logs, batch] = await Promise.all([
        r.queryFilter(r.filters.CertificatesRetired(id), this.fromBlock, "latest"),
        this.batch(claim.batchId),
      ]);
      const event = logs[0];
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
          periodStart: iso(claim.periodStart),
          periodEnd: iso(claim.periodEnd),
          scope3Category: Number(claim.scope3Category),
          purpose,
          claimHash: claim.claimHash,
        },
        proof: event
          ? {
              txHash: event.transactionHash,
              blockNumber: event.blockNumber,
              blockHash: event.blockHash,
              timestamp: block ? iso(block.timestamp) : null,
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
   * Retirement ids claimed for `account`, from the chain's events and state: those it is the beneficiary
   * account of, and those it retired itself without naming another beneficiary account.
   */
  retirementIdsFor(account: string) {
    return this.cache.get(`retirementsFor:${account}`, async () => {
      const r = this.chain.registry;
      const logs = await r.queryFilter(r.filters.CertificatesRetired(), this.fromBlock, "latest");
      const ids: bigint[] = [];
      for (const log of logs) {
        const id = log.args.retirementId;
        const claim = await r.retirement(id);
        const beneficiary = claim.beneficiary === ZeroAddress ? null : getAddress(claim.beneficiary);
        if (beneficiary === account || (beneficiary === null && getAddress(claim.account) === account)) ids.push(id);
      }
      return ids;
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
        kind: KINDS[Number(p.kind)] ?? "none",
        status: PARTICIPANT_STATUS[Number(p.status)] ?? "none",
        hasCode: p.hasCode,
        roles: { admin, auditor, issuer },
      };
    });
  }
}

/** Turns the registry's "unknown id" revert into ChainError NOT_FOUND; anything else goes on as it is. */
function notFoundOr(error: unknown, errorName: string, detail: string): unknown {
  if (decodeRegistryError(error)?.name === errorName) return new ChainError("NOT_FOUND", detail, { cause: error });
  return error;
}
