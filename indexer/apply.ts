/**
 * Applying a block range's events to the index tables, inside the store's transaction. Every event is first
 * recorded in `ix_events` under its (txHash, logIndex); only an event that was not there yet changes anything
 * else (balance deltas, retired totals, statuses and holds, challenges, claims, names, accreditations, role
 * membership), so re-applying a range changes nothing. Amounts are added as exact bigints in TypeScript; a result
 * the chain could not produce (a balance below zero, a suspension of a batch never issued) means the index did
 * not start at the registry's deployment.
 *
 * Some state the contract changes without an event of its own is derived here exactly as the contract derives it:
 * a challenge holds the batches it names (`openChallenges`), its settlement releases them and leaves the faulty
 * one suspended by the admin, and a replacement burns the claim's amount from its new batch (`retired`).
 */
import { organisationKey } from "../core/claims/attribution.ts";
import { PARTICIPANT_STATUS_CODES } from "../sdk/src/enums.ts";
import { applyCertificateEvent, inconsistent } from "./apply-certificates.ts";
import { eventArgsJson, eventName, type IndexedEvent } from "./events.ts";
import type { SqlExecutor } from "../core/db/sql.ts";

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

/** Applies one event new to the index: the register's here, the certificates' in apply-certificates.ts. */
async function applyEvent(tx: SqlExecutor, e: IndexedEvent, roles: RoleNames): Promise<void> {
  switch (e.name) {
    case "ParticipantAdmitted":
      await participantEvent(tx, e, "admitted", { kind: e.kind, name: e.participantName });
      await tx.run(
        "INSERT INTO ix_participants (account, kind, status, name, name_key, admitted_block, admitted_time, " +
          "updated_block, updated_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account) DO UPDATE SET " +
          "kind = excluded.kind, status = excluded.status, name = excluded.name, name_key = excluded.name_key, " +
          "admitted_block = excluded.admitted_block, " +
          "admitted_time = excluded.admitted_time, updated_block = excluded.updated_block, " +
          "updated_time = excluded.updated_time",
        [
          e.account,
          e.kind,
          PARTICIPANT_STATUS_CODES.active,
          e.participantName,
          organisationKey(e.participantName),
          e.blockNumber,
          e.blockTime,
          e.blockNumber,
          e.blockTime,
        ],
      );
      return;
    case "ParticipantRenamed": {
      await participantEvent(tx, e, "renamed", { name: e.participantName });
      const changed = await tx.run(
        "UPDATE ix_participants SET name = ?, name_key = ?, updated_block = ?, updated_time = ? WHERE account = ?",
        [e.participantName, organisationKey(e.participantName), e.blockNumber, e.blockTime, e.account],
      );
      if (changed !== 1) throw inconsistent(`${e.name} for ${e.account}, who was never admitted in the index`);
      return;
    }
    case "ParticipantSuspended":
    case "ParticipantReinstated": {
      const suspended = e.name === "ParticipantSuspended";
      await participantEvent(tx, e, suspended ? "suspended" : "reinstated", { reason: e.reason });
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
    case "AuditorBodyRegistered":
      await tx.run(
        "INSERT INTO ix_auditor_bodies (body_id, name, registered_block, registered_time, updated_block, updated_time) " +
          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (body_id) DO NOTHING",
        [e.bodyId, e.bodyName, e.blockNumber, e.blockTime, e.blockNumber, e.blockTime],
      );
      return;
    case "AuditorBodyRenamed": {
      const changed = await tx.run(
        "UPDATE ix_auditor_bodies SET name = ?, updated_block = ?, updated_time = ? WHERE body_id = ?",
        [e.bodyName, e.blockNumber, e.blockTime, e.bodyId],
      );
      if (changed !== 1) throw inconsistent(`${e.name} for body ${e.bodyId}, which the index never saw registered`);
      return;
    }
    case "AuditorAccredited":
      await accreditationEvent(tx, e, "accredited", e.bodyId, e.admin, {
        categories: e.categories,
        validFrom: e.validFrom,
        validUntil: e.validUntil,
      });
      // A re-accreditation (another body, scope or window) replaces the previous one, as in the contract.
      await tx.run(
        "INSERT INTO ix_accreditations (auditor, body_id, categories, valid_from, valid_until, accredited_block, " +
          "accredited_log_index, accredited_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (auditor) DO UPDATE SET " +
          "body_id = excluded.body_id, categories = excluded.categories, valid_from = excluded.valid_from, " +
          "valid_until = excluded.valid_until, accredited_block = excluded.accredited_block, " +
          "accredited_log_index = excluded.accredited_log_index, accredited_time = excluded.accredited_time",
        [e.auditor, e.bodyId, e.categories, e.validFrom, e.validUntil, e.blockNumber, e.logIndex, e.blockTime],
      );
      return;
    case "AccreditationRevoked": {
      await accreditationEvent(tx, e, "revoked", e.bodyId, e.admin, { reason: e.reason });
      const changed = await tx.run("DELETE FROM ix_accreditations WHERE auditor = ?", [e.auditor]);
      if (changed !== 1) throw inconsistent(`${e.name} for ${e.auditor}, whom the index never saw accredited`);
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
    case "URI":
    case "Other":
      return; // kept in ix_events only
    default:
      await applyCertificateEvent(tx, e);
  }
}

type At = { txHash: string; logIndex: number; blockNumber: number; blockTime: number };

/** One row of a participant's history (admission, renaming, suspension, reinstatement). */
async function participantEvent(
  tx: SqlExecutor,
  e: At & { account: string; admin: string },
  action: "admitted" | "renamed" | "suspended" | "reinstated",
  what: { kind?: number; name?: string; reason?: string },
): Promise<void> {
  await tx.run(
    "INSERT INTO ix_participant_events (tx_hash, log_index, account, action, kind, name, by_account, reason, " +
      "block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
    [
      e.txHash,
      e.logIndex,
      e.account,
      action,
      what.kind ?? null,
      what.name ?? null,
      e.admin,
      what.reason ?? null,
      e.blockNumber,
      e.blockTime,
    ],
  );
}

/** One row of an auditor's accreditation history. */
async function accreditationEvent(
  tx: SqlExecutor,
  e: At & { auditor: string },
  action: "accredited" | "revoked",
  bodyId: number,
  admin: string,
  what: { categories?: number; validFrom?: bigint; validUntil?: bigint; reason?: string },
): Promise<void> {
  await tx.run(
    "INSERT INTO ix_accreditation_events (tx_hash, log_index, auditor, body_id, action, categories, valid_from, " +
      "valid_until, by_account, reason, block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
      "ON CONFLICT (tx_hash, log_index) DO NOTHING",
    [
      e.txHash,
      e.logIndex,
      e.auditor,
      bodyId,
      action,
      what.categories ?? null,
      what.validFrom ?? null,
      what.validUntil ?? null,
      admin,
      what.reason ?? null,
      e.blockNumber,
      e.blockTime,
    ],
  );
}
