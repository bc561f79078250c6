/**
 * What the API, the CLI and the documents read from the chain (the truth), never from a database: retirement claims with their
 * status, batch and proofs, batch details, balances, participants with their names, roles and accreditation. Values are wire-ready: uint256 and
 * decimals as strings, addresses checksummed, times ISO-8601 UTC.
 *
 * Batches and verifications are the SDK's (sdk/src/reader.ts, one definition of the statement of checks): here they
 * get the per-block cache and remembered event locations of a long-running process, and the chain adapter's errors.
 */
import { getAddress, ZeroAddress } from "ethers";

import { categoriesOfMask, kindName, statusName } from "../../sdk/src/enums.ts";
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

/** How events are searched for (see `RegistryReaderOptions`). */
export type ChainReadsOptions = Pick<RegistryReaderOptions, "maxLogRange" | "logConcurrency" | "hint">;

export class ChainReads {
  readonly chain: ChainClient;
  readonly cache: HeadCache;
  readonly fromBlock: number;
  readonly #reader: RegistryReader;

  constructor(chain: ChainClient, cache: HeadCache, fromBlock = 0, options: ChainReadsOptions = {}) {
    this.chain = chain;
    this.cache = cache;
    this.fromBlock = fromBlock;
    this.#reader = new RegistryReader(chain.provider, chain.address, {
      ...options,
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
