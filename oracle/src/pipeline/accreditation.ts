/**
 * Whether auditors' signatures count, checked off-chain exactly as the registry checks them at issuance
 * (`ITECRegistry._checkSignatures`): a signature counts only when its auditor is accredited for a body, within its
 * validity window and for the batch's device category, and the threshold counts distinct auditing BODIES, not
 * addresses. The oracle refuses a signature that would not count, and never posts an `issue` the registry would
 * revert for want of accredited bodies.
 */
import { categoryBit, CATEGORY_NAMES } from "../../../sdk/src/enums.ts";
import { isoTime } from "../../../sdk/src/time.ts";
import type { ChainClient } from "../../../core/chain/client.ts";

/**
 * How long after the latest block an accreditation must still be valid for a posted `issue` to count it: the
 * transaction is mined in a later block, whose time the oracle cannot know. A minute covers a QBFT or anvil block
 * period many times over; an accreditation ending sooner is treated as ended (its signature waits for renewal).
 */
export const ACCREDITATION_MARGIN_SECONDS = 60;

/**
 * Why an auditor's signature does or does not count now: no accreditation at all, or one that does not cover
 * this batch now (expired, not yet valid, another device category). Refused as SIGNER_NOT_AUDITOR either way.
 */
export type AuditorStanding =
  | { auditor: string; counts: true; bodyId: number }
  | { auditor: string; counts: false; reason: string; bodyId: number };

/** The chain time accreditations are judged at: the latest block's, and the margin a posting needs. */
export async function accreditationClock(chain: ChainClient): Promise<{ now: bigint; margin: bigint }> {
  const latest = await chain.latestBlock();
  return { now: BigInt(latest.timestamp), margin: BigInt(ACCREDITATION_MARGIN_SECONDS) };
}

/**
 * Whether `auditor`'s signature on a batch of `category` (1…6) counts at chain time `now`, and still at
 * `now + margin` (0 when only taking a signature: it is checked again before posting).
 */
export async function auditorStanding(
  chain: ChainClient,
  auditor: string,
  category: number,
  clock: { now: bigint; margin: bigint },
): Promise<AuditorStanding> {
  const a = await chain.registry.accreditation(auditor);
  const bodyId = Number(a.bodyId);
  const refuse = (reason: string): AuditorStanding => ({ auditor, counts: false, reason, bodyId });
  if (bodyId === 0) return refuse(`${auditor} is not an accredited auditor of the registry`);
  const accreditation = `${auditor}'s accreditation (auditing body ${bodyId})`;
  if (clock.now < a.validFrom) return refuse(`${accreditation} starts only at ${isoTime(a.validFrom)}`);
  if (clock.now + clock.margin > a.validUntil) {
    return refuse(`${accreditation} ${clock.now > a.validUntil ? "ended" : "ends"} at ${isoTime(a.validUntil)}`);
  }
  if ((Number(a.categories) & categoryBit(category)) === 0) {
    return refuse(`${accreditation} does not cover ${CATEGORY_NAMES[category] ?? `category ${category}`} batches`);
  }
  return { auditor, counts: true, bodyId };
}

/** The distinct auditing bodies behind the signatures that count (what the threshold is compared with). */
export function countedBodies(standings: readonly AuditorStanding[]): number {
  return new Set(standings.filter((s) => s.counts).map((s) => s.bodyId)).size;
}
