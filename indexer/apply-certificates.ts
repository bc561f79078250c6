/**
 * Applying the certificates' events (apply.ts dispatches here): issuance, balances, retirement and replacement of
 * claims, batch suspension, status, reversal, and the fraud proofs that hold batches until settled. Runs inside
 * the store's transaction, for events new to the index only.
 */
import { ZeroAddress } from "ethers";

import { organisationKey } from "../core/claims/attribution.ts";
import { BATCH_STATUS } from "../sdk/src/enums.ts";
import { IndexerError } from "./errors.ts";
import type { IndexedEvent } from "./events.ts";
import type { SqlExecutor } from "../core/db/sql.ts";

/** The events this file applies. */
export type CertificateEvent = Extract<
  IndexedEvent,
  {
    name:
      | "BatchIssued"
      | "BatchSuspended"
      | "BatchReinstated"
      | "BatchStatusChanged"
      | "BatchReversed"
      | "CertificatesRetired"
      | "RetirementReplaced"
      | "ChallengeOpened"
      | "ChallengeSettled"
      | "TransferSingle"
      | "TransferBatch";
  }
>;

const REVERSED = BATCH_STATUS.indexOf("reversed");

/** Applies one certificate event new to the index. */
export async function applyCertificateEvent(tx: SqlExecutor, e: CertificateEvent): Promise<void> {
  switch (e.name) {
    case "BatchIssued": {
      const f = e.figures;
      await tx.run(
        "INSERT INTO ix_batches (batch_id, owner, category, issued, retired, baseline_grams, reduction_grams, vintage_start, " +
          "vintage_end, methodology_id, status, admin_suspended, open_challenges, cancelled, report_hash, " +
          "reference_data_hash, device_root, sample_hash, evidence_uri, deadline, auditors, tx_hash, log_index, " +
          "block_number, block_time) " +
          "VALUES (?, ?, ?, ?, '0', ?, ?, ?, ?, ?, 0, 0, 0, '0', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (batch_id) DO NOTHING",
        [
          e.batchId,
          e.owner,
          f.category,
          f.issued.toString(),
          f.baselineGrams.toString(),
          f.reductionGrams.toString(),
          f.vintageStart,
          f.vintageEnd,
          f.methodologyId,
          e.reportHash,
          e.referenceDataHash,
          e.deviceRoot,
          e.sampleHash,
          e.evidenceURI,
          e.deadline,
          JSON.stringify(e.auditors),
          e.txHash,
          e.logIndex,
          e.blockNumber,
          e.blockTime,
        ],
      );
      return;
    }
    case "BatchSuspended":
    case "BatchReinstated": {
      const suspended = e.name === "BatchSuspended";
      await batchAction(tx, e, suspended ? "suspended" : "reinstated", e.by, e.reason);
      // The status itself follows in BatchStatusChanged (an open challenge may still hold a reinstated batch).
      await updateBatch(tx, e, "admin_suspended = ?", [suspended ? 1 : 0]);
      return;
    }
    case "BatchStatusChanged":
      await updateBatch(tx, e, "status = ?", [e.status]);
      return;
    case "BatchReversed":
      await batchAction(tx, e, "reversed", e.admin, e.reason, e.evidenceURI, e.cancelled);
      // Its retirements' claims read Reversed through the batch's status (records.ts): nothing to rewrite here.
      await updateBatch(tx, e, "cancelled = ?", [e.cancelled.toString()]);
      return;
    case "CertificatesRetired": {
      const c = e.claim;
      await tx.run(
        "INSERT INTO ix_retirements (retirement_id, batch_id, original_batch_id, replacements, account, operator, " +
          "beneficiary_name, beneficiary_name_lc, beneficiary_name_key, beneficiary, amount, period_start, " +
          "period_end, scope3_category, purpose, claim_hash, tx_hash, log_index, block_number, block_time) " +
          "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (retirement_id) DO NOTHING",
        [
          e.retirementId,
          e.batchId,
          e.batchId,
          e.account,
          e.operator,
          e.beneficiaryName,
          e.beneficiaryName.toLowerCase(),
          organisationKey(e.beneficiaryName),
          c.beneficiary,
          c.amount.toString(),
          c.periodStart,
          c.periodEnd,
          c.scope3Category,
          e.purpose,
          c.claimHash,
          e.txHash,
          e.logIndex,
          e.blockNumber,
          e.blockTime,
        ],
      );
      await addRetired(tx, e.batchId, c.amount, `retirement ${e.retirementId}`);
      return;
    }
    case "RetirementReplaced": {
      const claim = await tx.get<{ amount: string; batch_id: number }>(
        "SELECT amount, batch_id FROM ix_retirements WHERE retirement_id = ?",
        [e.retirementId],
      );
      if (!claim) throw inconsistent(`replacement of retirement ${e.retirementId}, which the index never saw`);
      if (BigInt(claim.batch_id) !== e.previousBatchId) {
        throw inconsistent(`retirement ${e.retirementId} rests on batch ${claim.batch_id}, not ${e.previousBatchId}`);
      }
      await tx.run(
        "INSERT INTO ix_replacements (tx_hash, log_index, retirement_id, previous_batch_id, batch_id, holder, operator, " +
          "amount, block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [
          e.txHash,
          e.logIndex,
          e.retirementId,
          e.previousBatchId,
          e.batchId,
          e.holder,
          e.operator,
          claim.amount,
          e.blockNumber,
          e.blockTime,
        ],
      );
      await tx.run("UPDATE ix_retirements SET batch_id = ?, replacements = replacements + 1 WHERE retirement_id = ?", [
        e.batchId,
        e.retirementId,
      ]);
      // The contract burns the claim's amount from the new batch and counts it as retired there.
      await addRetired(tx, e.batchId, BigInt(claim.amount), `replacement of retirement ${e.retirementId}`);
      return;
    }
    case "ChallengeOpened":
      await tx.run(
        "INSERT INTO ix_challenges (challenge_id, kind, settled, batch_a, batch_b, device_id, device_index, challenger, " +
          "tx_hash, log_index, block_number, block_time) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (challenge_id) DO NOTHING",
        [
          e.challengeId,
          e.kind,
          e.batchA,
          e.batchB === 0n ? null : e.batchB,
          e.deviceId,
          e.index.toString(),
          e.challenger,
          e.txHash,
          e.logIndex,
          e.blockNumber,
          e.blockTime,
        ],
      );
      for (const batchId of named(e.batchA, e.batchB)) {
        await updateBatch(tx, { ...e, batchId }, "open_challenges = open_challenges + 1", []);
      }
      return;
    case "ChallengeSettled": {
      const c = await tx.get<{ batch_a: number; batch_b: number | null }>(
        "SELECT batch_a, batch_b FROM ix_challenges WHERE challenge_id = ? AND settled = 0",
        [e.challengeId],
      );
      if (!c) throw inconsistent(`settlement of challenge ${e.challengeId}, which the index never saw open`);
      await tx.run(
        "UPDATE ix_challenges SET settled = 1, faulty_batch_id = ?, settled_by = ?, settle_reason = ?, " +
          "settle_evidence_uri = ?, settled_block = ?, settled_time = ? WHERE challenge_id = ?",
        [
          e.faultyBatchId === 0n ? null : e.faultyBatchId,
          e.admin,
          e.reason,
          e.evidenceURI,
          e.blockNumber,
          e.blockTime,
          e.challengeId,
        ],
      );
      // Each named batch is released; the one found at fault stays suspended by the admin (no BatchSuspended).
      for (const batchId of named(BigInt(c.batch_a), BigInt(c.batch_b ?? 0))) {
        const faulty = batchId === e.faultyBatchId;
        await updateBatch(
          tx,
          { ...e, batchId },
          `open_challenges = open_challenges - 1${faulty ? ", admin_suspended = 1" : ""}`,
          [],
        );
      }
      return;
    }
    case "TransferSingle":
    case "TransferBatch":
      for (let i = 0; i < e.ids.length; i++) {
        const id = e.ids[i]!;
        const value = e.values[i] ?? 0n;
        await tx.run(
          "INSERT INTO ix_transfers (tx_hash, log_index, item_index, operator, from_account, to_account, batch_id, amount, " +
            "block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
            "ON CONFLICT (tx_hash, log_index, item_index) DO NOTHING",
          [e.txHash, e.logIndex, i, e.operator, e.from, e.to, id, value.toString(), e.blockNumber, e.blockTime],
        );
        if (e.from !== ZeroAddress) await addHolding(tx, e.from, id, -value);
        if (e.to !== ZeroAddress) await addHolding(tx, e.to, id, value);
      }
      return;
  }
}

/** The batches a challenge names: A, and B when it is about two trees (0: none). */
function named(batchA: bigint, batchB: bigint): bigint[] {
  return batchB === 0n ? [batchA] : [batchA, batchB];
}

/** One row of a batch's admin history: suspension, reinstatement, reversal. */
async function batchAction(
  tx: SqlExecutor,
  e: { txHash: string; logIndex: number; blockNumber: number; blockTime: number; batchId: bigint },
  action: "suspended" | "reinstated" | "reversed",
  by: string,
  reason: string,
  evidenceURI: string | null = null,
  cancelled: bigint | null = null,
): Promise<void> {
  await tx.run(
    "INSERT INTO ix_batch_events (tx_hash, log_index, batch_id, action, by_account, reason, evidence_uri, cancelled, " +
      "block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
    [
      e.txHash,
      e.logIndex,
      e.batchId,
      action,
      by,
      reason,
      evidenceURI,
      cancelled === null ? null : cancelled.toString(),
      e.blockNumber,
      e.blockTime,
    ],
  );
}

/** `UPDATE ix_batches SET <set>` of one batch the index must know. */
async function updateBatch(
  tx: SqlExecutor,
  e: { name: string; batchId: bigint },
  set: string,
  params: (string | number)[],
): Promise<void> {
  const changed = await tx.run(`UPDATE ix_batches SET ${set} WHERE batch_id = ?`, [...params, e.batchId]);
  if (changed !== 1) throw inconsistent(`${e.name} for batch ${e.batchId}, which the index never saw issued`);
}

/** Adds `amount` burned against a claim to a batch's retired total, exactly. */
async function addRetired(tx: SqlExecutor, batchId: bigint, amount: bigint, what: string): Promise<void> {
  const row = await tx.get<{ retired: string; status: number }>(
    "SELECT retired, status FROM ix_batches WHERE batch_id = ?",
    [batchId],
  );
  if (!row) throw inconsistent(`${what} of batch ${batchId}, which the index never saw`);
  if (row.status === REVERSED) throw inconsistent(`${what} burned certificates of reversed batch ${batchId}`);
  await tx.run("UPDATE ix_batches SET retired = ? WHERE batch_id = ?", [
    (BigInt(row.retired) + amount).toString(),
    batchId,
  ]);
}

/** Adds `delta` to a balance, exactly (bigint), deleting the row at zero. */
async function addHolding(tx: SqlExecutor, account: string, batchId: bigint, delta: bigint): Promise<void> {
  const row = await tx.get<{ amount: string }>("SELECT amount FROM ix_holdings WHERE account = ? AND batch_id = ?", [
    account,
    batchId,
  ]);
  const next = BigInt(row?.amount ?? "0") + delta;
  if (next < 0n) throw inconsistent(`balance of ${account} in batch ${batchId} would fall below zero`);
  if (next === 0n) {
    await tx.run("DELETE FROM ix_holdings WHERE account = ? AND batch_id = ?", [account, batchId]);
  } else {
    await tx.run(
      "INSERT INTO ix_holdings (account, batch_id, amount) VALUES (?, ?, ?) " +
        "ON CONFLICT (account, batch_id) DO UPDATE SET amount = excluded.amount",
      [account, batchId, next.toString()],
    );
  }
}

export function inconsistent(what: string): IndexerError {
  return new IndexerError(
    "INCONSISTENT",
    `index inconsistent: ${what} — does the configured start block precede the registry's deployment?`,
  );
}
