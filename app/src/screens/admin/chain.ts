/**
 * What the admin screens read from the registry contract itself, through the admin's wallet: the auditing bodies
 * and the fraud-proof challenges. The API has no listing of either (the index keeps auditors, not bodies, and no
 * challenges), and both are short arrays the contract exposes by id, so the wallet's own node answers them: the
 * admin's wallet must be on the registry's chain to act anyway.
 */
import { CHALLENGE_KIND, CHALLENGE_STATUS } from "../../../../sdk/src/enums.ts";
import { registryAt, type ITECRegistry } from "../../../../sdk/src/registry.ts";

import type { AppContext } from "../../context.ts";
import { Refusal } from "./action.ts";

export interface AuditingBody {
  id: number;
  name: string;
  /** Accredited auditors of the body (current or expired, not revoked). */
  auditors: number;
}

export interface Challenge {
  id: string;
  kind: string;
  status: string;
  batchA: string;
  /** "0" when the challenge names one batch only. */
  batchB: string;
  faultyBatchId: string;
  challenger: string;
  deviceId: string;
  index: string;
}

/** The most rows read one by one; beyond it the screen says how many it left out. */
export const MAX_READ = 200;

async function registry(ctx: AppContext): Promise<ITECRegistry> {
  if (!ctx.session.onRegistryChain) {
    throw new Refusal(
      `Your wallet is on chain ${String(ctx.session.chainId)}: switch it to ${ctx.network.chainName} (banner above) ` +
        "to read this from the registry.",
    );
  }
  const signer = await ctx.session.signer();
  return registryAt(ctx.network.registry, signer.provider);
}

/** Every auditing body (ids 1…n), with the number registered. */
export async function auditingBodies(ctx: AppContext): Promise<{ bodies: AuditingBody[]; registered: number }> {
  const reg = await registry(ctx);
  const registered = Number((await reg.auditorBodyCounts())[0]);
  const ids = Array.from({ length: Math.min(registered, MAX_READ) }, (_, i) => i + 1);
  const bodies = await Promise.all(
    ids.map(async (id) => {
      const b = await reg.auditorBody(id);
      return { id, name: b.name, auditors: Number(b.auditors) };
    }),
  );
  return { bodies, registered };
}

/** The latest challenges (newest first), with the number ever opened. */
export async function challenges(ctx: AppContext): Promise<{ challenges: Challenge[]; total: number }> {
  const reg = await registry(ctx);
  const total = Number(await reg.challengeCount());
  const ids = Array.from({ length: Math.min(total, MAX_READ) }, (_, i) => total - i);
  const list = await Promise.all(
    ids.map(async (id) => {
      const c = await reg.challenge(id);
      return {
        id: String(id),
        kind: CHALLENGE_KIND[Number(c.kind)] ?? `kind-${String(c.kind)}`,
        status: CHALLENGE_STATUS[Number(c.status)] ?? `status-${String(c.status)}`,
        batchA: c.batchA.toString(),
        batchB: c.batchB.toString(),
        faultyBatchId: c.faultyBatchId.toString(),
        challenger: c.challenger,
        deviceId: c.deviceId,
        index: c.index.toString(),
      };
    }),
  );
  return { challenges: list, total };
}
