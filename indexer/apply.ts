/**
 * Applying a block range's events to the index tables, inside the store's transaction. Every event is first
 * recorded in `ix_events` under its (txHash, logIndex); only an event that was not there yet changes anything
 * else (balance deltas, retired totals, statuses, role membership), so re-applying a range changes nothing.
 * Amounts are added as exact bigints in TypeScript; a result the chain could not produce (a balance below zero, a
 * suspension of a batch never issued) means the index did not start at the registry's deployment.
 */
import { ZeroAddress } from "ethers";

import { PARTICIPANT_STATUS_CODES } from "../sdk/src/enums.ts";
import { IndexerError } from "./errors.ts";
import { eventArgsJson, eventName, type IndexedEvent } from "./events.ts";
import type { SqlExecutor } from "./sql.ts";

/** Role names the index uses for the registry's AccessControl roles; unknown roles keep their hash. */
export type RoleNames = Readonly<Record<string, string>>;

/** Applies `events` (ordered by block and log index) on `tx`; resolves to how many were new to the index. */
export async function applyEvents(tx: SqlExecutor, events: readonly IndexedEvent[], roles: RoleNames): Promise<number> {
  let applied = 0;
  for (const event of events) {
    const isNew =
      (await tx.run(
        "INSERT INTO ix_events (tx_hash, log_index, block_number, block_time, name, args) VALUES (?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [event.txHash, event.logIndex, event.blockNumber, event.blockTime, eventName(event), eventArgsJson(event)],
      )) === 1;
    if (!isNew) continue;
    applied += 1;
    await applyEvent(tx, event, roles);
  }
  return applied;
}

/** Applies one event new to the index. */
async function applyEvent(tx: SqlExecutor, e: IndexedEvent, roles: RoleNames): Promise<void> {
  switch (e.name) {
    case "ParticipantAdmitted":
      await tx.run(
        "INSERT INTO ix_participant_events (tx_hash, log_index, account, action, kind, by_account, reason, block_number, block_time) " +
          "VALUES (?, ?, ?, 'admitted', ?, ?, NULL, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [e.txHash, e.logIndex, e.account, e.kind, e.admin, e.blockNumber, e.blockTime],
      );
      await tx.run(
        "INSERT INTO ix_participants (account, kind, status, admitted_block, admitted_time, updated_block, updated_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account) DO UPDATE SET kind = excluded.kind, status = excluded.status, " +
          "admitted_block = excluded.admitted_block, admitted_time = excluded.admitted_time, " +
          "updated_block = excluded.updated_block, updated_time = excluded.updated_time",
        [e.account, e.kind, PARTICIPANT_STATUS_CODES.active, e.blockNumber, e.blockTime, e.blockNumber, e.blockTime],
      );
      return;
    case "ParticipantSuspended":
    case "ParticipantReinstated": {
      const suspended = e.name === "ParticipantSuspended";
      await tx.run(
        "INSERT INTO ix_participant_events (tx_hash, log_index, account, action, kind, by_account, reason, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [
          e.txHash,
          e.logIndex,
          e.account,
          suspended ? "suspended" : "reinstated",
          e.admin,
          e.reason,
          e.blockNumber,
          e.blockTime,
        ],
      );
      const changed = await tx.run(
        "UPDATE ix_participants SET status = ?, updated_block = ?, updated_time = ? WHERE account = ?",
        [
          suspended ? PARTICIPANT_STATUS_CODES.suspended : PARTICIPANT_STATUS_CODES.active,
          e.blockNumber,
          e.blockTime,
          e.account,
        ],
      );
      if (changed !== 1) throw inconsistent(`${e.name} for ${e.account}, who was never admitted in the index`);
      return;
    }
    case "MethodologyRegistered":
      await tx.run(
        "INSERT INTO ix_methodologies (methodology_id, name, parameters, active, block_number) VALUES (?, ?, ?, 1, ?) " +
          "ON CONFLICT (methodology_id) DO NOTHING",
        [e.methodologyId, e.methodology, e.parameters, e.blockNumber],
      );
      return;
    case "MethodologyStatusChanged":
      await tx.run("UPDATE ix_methodologies SET active = ? WHERE methodology_id = ?", [
        e.active ? 1 : 0,
        e.methodologyId,
      ]);
      return;
    case "BatchIssued": {
      const f = e.figures;
      await tx.run(
        "INSERT INTO ix_batches (batch_id, owner, category, issued, retired, baseline_grams, reduction_grams, vintage_start, " +
          "vintage_end, methodology_id, suspended, report_hash, reference_data_hash, device_root, evidence_uri, deadline, " +
          "auditors, tx_hash, log_index, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, '0', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING",
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
      await tx.run(
        "INSERT INTO ix_batch_events (tx_hash, log_index, batch_id, action, by_account, reason, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [
          e.txHash,
          e.logIndex,
          e.batchId,
          suspended ? "suspended" : "reinstated",
          e.by,
          e.reason,
          e.blockNumber,
          e.blockTime,
        ],
      );
      const changed = await tx.run("UPDATE ix_batches SET suspended = ? WHERE batch_id = ?", [
        suspended ? 1 : 0,
        e.batchId,
      ]);
      if (changed !== 1) throw inconsistent(`${e.name} for batch ${e.batchId}, which the index never saw issued`);
      return;
    }
    case "CertificatesRetired": {
      const c = e.claim;
      await tx.run(
        "INSERT INTO ix_retirements (retirement_id, batch_id, account, operator, beneficiary_name, beneficiary_name_lc, " +
          "beneficiary, amount, period_start, period_end, scope3_category, purpose, claim_hash, tx_hash, log_index, " +
          "block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (retirement_id) DO NOTHING",
        [
          e.retirementId,
          e.batchId,
          e.account,
          e.operator,
          e.beneficiaryName,
          e.beneficiaryName.toLowerCase(),
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
      const row = await tx.get<{ retired: string }>("SELECT retired FROM ix_batches WHERE batch_id = ?", [e.batchId]);
      if (!row) throw inconsistent(`retirement ${e.retirementId} of batch ${e.batchId}, which the index never saw`);
      await tx.run("UPDATE ix_batches SET retired = ? WHERE batch_id = ?", [
        (BigInt(row.retired) + c.amount).toString(),
        e.batchId,
      ]);
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
    case "RoleGranted":
    case "RoleRevoked": {
      const role = roles[e.role] ?? e.role;
      const granted = e.name === "RoleGranted";
      await tx.run(
        "INSERT INTO ix_role_events (tx_hash, log_index, role, account, action, sender, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [e.txHash, e.logIndex, role, e.account, granted ? "granted" : "revoked", e.sender, e.blockNumber, e.blockTime],
      );
      if (granted) {
        await tx.run(
          "INSERT INTO ix_roles (role, account, granted_block, granted_log_index, granted_time) VALUES (?, ?, ?, ?, ?) " +
            "ON CONFLICT (role, account) DO NOTHING",
          [role, e.account, e.blockNumber, e.logIndex, e.blockTime],
        );
      } else {
        await tx.run("DELETE FROM ix_roles WHERE role = ? AND account = ?", [role, e.account]);
      }
      return;
    }
    case "Other":
      return; // kept in ix_events only
  }
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

function inconsistent(what: string): IndexerError {
  return new IndexerError(
    "INCONSISTENT",
    `index inconsistent: ${what} — does the configured start block precede the registry's deployment?`,
  );
}
