/**
 * The most gas a relayed registry call may ask for (issue 18: the relay accepted a 30,000,000 gas limit). Each
 * function's cap is its figure in bench/results/gas.json with headroom (≥ 1.5×, rounded up), plus what its
 * variable-size arguments can cost: every byte of a `string` or `bytes` argument (stored texts cost ~690 gas a
 * byte, 22,100 a 32-byte word, and the builders add 20 % to the estimate) and, for a batch transfer, each item.
 * Nothing exceeds {@link MAX_RELAY_GAS}. The caps are documented in docs/api.md ("Relay") and ADR 0052; a test
 * builds each capped operation at its documented maxima and checks the API's own gas limit fits under its cap.
 */
import type { FunctionFragment, ParamType, Result } from "ethers";

/** Gas allowed per byte of a `string` or `bytes` argument (texts are up to 1,024 bytes: MAX_TEXT_BYTES). */
export const TEXT_GAS_PER_BYTE = 1_000n;

/** Gas allowed per item of a batch transfer (bench: 128,605 for three items; the API takes up to 50). */
export const BATCH_ITEM_GAS = 45_000n;

/** The ceiling of every cap: ten times a retirement, a tenth of a 30,000,000-gas block. */
export const MAX_RELAY_GAS = 3_000_000n;

/**
 * Base cap per relayed function; the measured figure (bench/results/gas.json) is in the comment. Functions the
 * benchmark does not measure share the cap of the nearest measured one (same storage writes).
 */
export const RELAY_GAS_BASE: Readonly<Record<string, bigint>> = {
  safeTransferFrom: 150_000n, // transfer_new_holder 63,833
  safeBatchTransferFrom: 60_000n, // + BATCH_ITEM_GAS per item; transfer_batch_3 128,605
  setApprovalForAll: 100_000n, // 46,688 (issue 18's measurement)
  retire: 250_000n, // retire 121,033; retire_by_operator_on_behalf 125,896
  replaceRetirement: 150_000n, // replace_retirement 50,979
  challengeDuplicateDevice: 2_000_000n, // challenge_duplicate 1,179,827
  challengeTreeSize: 2_000_000n, // as challengeDuplicateDevice (one proof, the same challenge record)
  challengeIndexReuse: 2_000_000n, // as challengeDuplicateDevice
  challengeClaimedElsewhere: 2_000_000n, // as challengeDuplicateDevice (two proofs, one batch held)
  admitParticipant: 200_000n, // admit_participant 88,894
  renameParticipant: 200_000n, // as admitParticipant
  suspendParticipant: 200_000n, // as admitParticipant
  reinstateParticipant: 200_000n, // as admitParticipant
  registerAuditorBody: 200_000n, // as admitParticipant
  renameAuditorBody: 200_000n, // as admitParticipant
  setAccreditation: 150_000n, // set_accreditation 56,221
  revokeAccreditation: 150_000n, // as setAccreditation
  setAuditorThreshold: 100_000n, // one slot
  grantRole: 150_000n, // two slots (AccessControl)
  revokeRole: 150_000n, // as grantRole
  suspendBatch: 1_000_000n, // suspend_batch 554,761
  reinstateBatch: 1_000_000n, // reinstate_batch 530,662
  reverseBatch: 1_000_000n, // reverse_batch 534,184
  settleChallenge: 1_000_000n, // settle_challenge 548,896
  registerMethodology: 300_000n, // a record and two texts
  setMethodologyActive: 100_000n, // one slot
};

/** Bytes of every `string` and `bytes` value in `value` (of type `type`), through tuples and arrays. */
function variableBytes(type: ParamType, value: unknown): bigint {
  if (type.baseType === "string") return BigInt(new TextEncoder().encode(String(value)).length);
  if (type.baseType === "bytes") return BigInt((String(value).length - 2) / 2);
  if (type.isArray())
    return [...(value as unknown[])].reduce<bigint>((n, v) => n + variableBytes(type.arrayChildren, v), 0n);
  if (type.isTuple()) return type.components.reduce((n, c, i) => n + variableBytes(c, (value as unknown[])[i]), 0n);
  return 0n;
}

/** The gas cap of one call (`fragment` with its decoded `args`); undefined for a function the relay does not take. */
export function relayGasCap(fragment: FunctionFragment, args: Result): bigint | undefined {
  const base = RELAY_GAS_BASE[fragment.name];
  if (base === undefined) return undefined;
  const text = fragment.inputs.reduce((n, input, i) => n + variableBytes(input, args[i]), 0n);
  const items = fragment.name === "safeBatchTransferFrom" ? BigInt((args[2] as unknown[]).length) : 0n;
  const cap = base + text * TEXT_GAS_PER_BYTE + items * BATCH_ITEM_GAS;
  return cap < MAX_RELAY_GAS ? cap : MAX_RELAY_GAS;
}
