/**
 * What a registry revert means for the person who caused it: one sentence per custom error the registry can raise
 * (its own, `IITECRegistry`, and the OpenZeppelin ones it inherits: AccessControlDefaultAdminRules, ERC-1155), saying what is wrong and the next step —
 * usually the `itec` command that fixes or explains it. The one table of these sentences: the API puts the
 * sentence in a WOULD_REVERT problem's `detail`, the CLI prints it as its one-line error; the raw error (name and
 * arguments) stays beside it (the problem's `revert` member, the CLI's `--json`).
 *
 * Arguments arrive as `decodeRegistryError` gives them: strings, enums as their number. A test fails when the
 * registry's ABI has an error without a sentence here.
 */
import { ZeroAddress, ZeroHash, id } from "ethers";

import { CATEGORY_NAMES, CLAIM_STATUS } from "../../sdk/src/enums.ts";

type Args = Readonly<Record<string, string>>;

const ROLES: Record<string, { name: string; nextStep: (account: string) => string }> = {
  [ZeroHash]: {
    name: "registry admin",
    nextStep: () => "sign with the registry admin's key",
  },
  [id("ITEC_ISSUER_ROLE")]: {
    name: "issuer (oracle)",
    nextStep: () =>
      "only the oracle's key issues batches: submit the lot with `itec lot submit` and let the oracle post it",
  },
};

const STATUS = ["not admitted", "active", "suspended"];
const KINDS = "refurbisher|itad|corporate|trader";

const status = (s: string | undefined) => STATUS[Number(s)] ?? `in status ${s ?? "?"}`;
const day = (unix: string | undefined) => {
  const ms = Number(unix) * 1000;
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(".000Z", "Z") : String(unix);
};
const short = (hex: string | undefined) => (hex && hex.length > 18 ? `${hex.slice(0, 10)}…${hex.slice(-4)}` : hex);

function accountNotActive(a: Args): string {
  const account = a.account!;
  if (account === ZeroAddress) return "the zero address cannot hold or move I-TECs: give a real account";
  if (a.status === "2") {
    return (
      `${account} is a suspended participant: the registry admin can reinstate it with ` +
      `\`itec participant reinstate ${account} --reason "…"\``
    );
  }
  return (
    `${account} is not an admitted participant: the registry admin can admit it with ` +
    `\`itec participant admit ${account} --kind <${KINDS}> --name "…"\``
  );
}

const category = (c: string | undefined) => CATEGORY_NAMES[Number(c)] ?? `category ${c ?? "?"}`;
const claimStatus = (s: string | undefined) => CLAIM_STATUS[Number(s)] ?? `status ${s ?? "?"}`;
const ROLE_NAMES: Record<string, string> = {
  [ZeroHash]: "the registry admin role",
  [id("ITEC_ISSUER_ROLE")]: "the issuer role",
};

const RETIREMENT_FIELDS: Record<string, string> = {
  amount: "the amount to retire must be at least 1: pass --amount 1 or more",
  scope3Category:
    "the Scope 3 category must be 1 (purchased goods) or 2 (capital goods): pass --scope3 1 or --scope3 2",
  period: "the claim's period ends before it starts: pass --period <start>..<end> with start ≤ end",
};

/**
 * One sentence per custom error: what is wrong, then (after a colon) the next step. Keyed by the error's name in
 * the registry's ABI.
 */
export const REVERT_SENTENCES: Readonly<Record<string, (a: Args) => string>> = {
  // ---- the registry's own errors (contracts/interfaces/IITECRegistry.sol) ----
  ITECAccountNotActive: accountNotActive,
  ITECParticipantAlreadyAdmitted: (a) =>
    `${a.account} is already a participant: see its standing with \`itec participant show ${a.account}\``,
  ITECInvalidParticipantKind: () =>
    `a participant must be admitted as one of ${KINDS.split("|").join(", ")}: pass --kind with one of them`,
  ITECParticipantStatus: (a) =>
    `${a.account} is ${status(a.status)}, not ${status(a.expected)}: see its standing with ` +
    `\`itec participant show ${a.account}\``,
  ITECInvalidThreshold: (a) =>
    a.bodies === "0"
      ? "no auditing body has an accredited auditor yet: the registry admin accredits auditors for bodies first, " +
        "then sets the threshold"
      : `a threshold of ${a.threshold} is not possible with ${a.bodies} auditing bod${a.bodies === "1" ? "y" : "ies"} ` +
        `that have accredited auditors: choose 1 to ${a.bodies} (\`itec auditor threshold <n>\`), or accredit ` +
        "auditors of more bodies first",
  ITECAttestationExpired: (a) =>
    `the attestation expired at ${day(a.deadline)}: the oracle renews it, and the auditors sign the renewed one ` +
    "(`itec auditor review <batch job>` shows it)",
  ITECInvalidAttestation: (a) =>
    `the attestation's ${a.field} is out of range, so the registry cannot issue it: check the lot's calculation ` +
    "with `itec lot status <lot>` and submit a corrected lot",
  ITECMethodologyNotApproved: (a) =>
    `methodology ${a.name} with parameters ${a.parameters} is not approved on the registry: the registry admin ` +
    "must approve it before batches calculated with it can be issued",
  ITECUnknownMethodology: (a) =>
    `methodology #${a.methodologyId} is not registered: the registry admin registers and approves it first`,
  ITECMethodologyExists: (a) =>
    `this methodology and parameter set is already registered as #${a.methodologyId}: use it as it is`,
  ITECSignersNotDistinct: (a) =>
    `the signatures are not from distinct auditors in ascending order (${a.previous} then ${a.auditor}): ` +
    "each auditor signs once; the oracle sorts the signatures it posts",
  ITECSignerNotAuditor: (a) =>
    `${a.auditor} is not an accredited auditor: the registry admin accredits it for its auditing body, or an ` +
    "accredited auditor signs instead (`itec auditor list` shows them)",
  ITECAuditorNotAccredited: (a) =>
    `${a.auditor} is not accredited for ${category(a.category)} devices: an auditor accredited for that category ` +
    "signs instead, or the registry admin extends its accreditation",
  ITECAuditorExpired: (a) =>
    `the accreditation of ${a.auditor} ended at ${day(a.validUntil)}: an auditor with a current accreditation signs ` +
    "instead, or the registry admin renews it",
  ITECAuditorNotYetValid: (a) =>
    `the accreditation of ${a.auditor} starts only at ${day(a.validFrom)}: sign after that, or an auditor with a ` +
    "current accreditation signs instead",
  ITECSigningKeyReused: (a) =>
    `the wallet ${a.auditor} accepted a signature made by ${a.key}, which already signs here for another auditor: ` +
    "one key counts once — an auditor of another body signs instead",
  ITECUnknownAuditorBody: (a) =>
    `there is no auditing body #${a.bodyId} on the registry: the registry admin registers the body first`,
  ITECInvalidAccreditation: (a) =>
    `the accreditation's ${a.field} is invalid (e.g. no category, an empty validity window or the zero address): ` +
    "give at least one category, validFrom ≤ validUntil and a real auditor address",
  ITECRoleConflict: (a) =>
    `${a.account} already holds ${ROLE_NAMES[a.role!.toLowerCase()] ?? "an accreditation or role"}: the registry ` +
    "admin, the issuer and the auditors must be separate keys — use another account",
  ITECInvalidSignature: (a) =>
    `the signature of ${a.auditor} does not verify over this attestation: the auditor signs it again ` +
    "(`itec auditor sign <batch job>`)",
  ITECInsufficientSignatures: (a) =>
    `the attestation has signatures of ${a.provided} auditing bod${a.provided === "1" ? "y" : "ies"} and ` +
    `${a.required} are required: auditors of other bodies must sign it (\`itec auditor sign <batch job>\`)`,
  ITECReportAlreadyIssued: (a) =>
    `the ${CATEGORY_NAMES[Number(a.category)] ?? `category ${a.category}`} batch of report ${short(a.reportHash)} ` +
    `was already issued as batch #${a.batchId}: nothing to issue again (\`itec cert show ${a.batchId}\`)`,
  ITECDeviceRootAlreadyUsed: (a) =>
    `these devices (device root ${short(a.deviceRoot)}) were already certified in batch #${a.batchId}, and a ` +
    `device is never certified twice: see \`itec cert show ${a.batchId}\``,
  ITECUnknownBatch: (a) =>
    `there is no batch #${a.batchId} on the registry: \`itec cert balance\` lists the batches you hold`,
  ITECBatchSuspended: (a) =>
    `batch #${a.batchId} is suspended: its I-TECs cannot move or be retired until the registry admin reinstates ` +
    `it (\`itec cert show ${a.batchId}\` shows its state)`,
  ITECBatchNotSuspended: (a) =>
    `batch #${a.batchId} is not suspended by the registry admin: there is nothing to reinstate (open challenges ` +
    `are released by settling them; \`itec cert show ${a.batchId}\`)`,
  ITECBatchReversed: (a) =>
    `batch #${a.batchId} was reversed: its certificates are cancelled and cannot move, be retired or replace a ` +
    `claim, and a reversal is final (\`itec verify batch ${a.batchId}\` shows why)`,
  ITECBatchAtFault: (a) =>
    `batch #${a.batchId} was found at fault by a settled challenge: its device tree is no evidence against another ` +
    "batch, so this fraud proof cannot be made with it",
  ITECUnknownRetirement: (a) =>
    `there is no retirement #${a.retirementId} on the registry: check the id \`itec retire\` printed`,
  ITECInvalidRetirement: (a) =>
    RETIREMENT_FIELDS[a.field!] ?? `the retirement's ${a.field} is invalid: see \`itec retire --help\``,
  ITECClaimNotReversed: (a) =>
    `retirement #${a.retirementId} is ${claimStatus(a.status)}, not reversed: only a reversed claim can be replaced ` +
    `(\`itec verify retirement ${a.retirementId}\` shows its status)`,
  ITECCategoryMismatch: (a) =>
    `the claim is for ${category(a.expected)} devices, and a replacement must burn certificates of the same ` +
    `category, not ${category(a.actual)}: choose a batch of ${category(a.expected)} certificates`,
  ITECInvalidText: (a) => {
    // Names (organisations, bodies, methodology parameters) are at most 200 bytes (MAX_NAME_BYTES), other texts
    // 1024 (MAX_TEXT_BYTES).
    const max = a.field === "name" || a.field === "parameters" ? 200 : 1024;
    return a.length === "0"
      ? `the ${a.field} is empty: give a text of 1 to ${max} bytes`
      : `the ${a.field} is ${a.length} bytes long: shorten it to at most ${max} bytes`;
  },
  ITECUnsafeText: (a) =>
    `the ${a.field} is not valid UTF-8, or contains a character it may not (a double quote, a backslash, <, >, & ` +
    "or a control character): remove them and try again",
  ITECNotHolderOrOperator: (a) =>
    `${a.operator} is neither ${a.holder} nor an operator it approved: sign with the holder's key, or have the ` +
    `holder approve ${a.operator} first`,
  ITECUnknownDeviceRoot: (a) =>
    `no batch on the registry has device root ${short(a.deviceRoot)}: take the root from the batch's calculation report`,
  ITECInvalidDeviceProof: (a) =>
    `the proof does not show device ${short(a.deviceId)} at index ${a.index} in device root ${short(a.deviceRoot)}: ` +
    "rebuild it from that batch's calculation report",
  ITECInvalidChallenge: (a) =>
    `the proofs do not show what the challenge claims (${a.reason}): check the two leaves and their batches`,
  ITECAlreadyChallenged: (a) =>
    `this proof was already made as challenge #${a.challengeId}: a proof is made once; its settlement stands`,
  ITECExternalSetNotActive: (a) =>
    `external device set #${a.setId} is not registered or was retired: prove against an active set (itec admin external-set list)`,
  ITECChallengeNotOpen: (a) => `there is no open challenge #${a.challengeId}: it does not exist or was already settled`,
  ITECInvalidSettlement: (a) =>
    `batch #${a.faultyBatchId} is not named by challenge #${a.challengeId}: name one of its batches as at fault, ` +
    "or 0 for neither",
  ITECNotDelegated: () =>
    "the registry's admin module was called directly: send the transaction to the registry's address instead",

  // ---- OpenZeppelin errors the registry inherits (AccessControl, ERC1155, ShortStrings) ----
  AccessControlUnauthorizedAccount: (a) => {
    const role = ROLES[a.neededRole!.toLowerCase()];
    return role
      ? `${a.account} is not the ${role.name}, which this needs: ${role.nextStep(a.account!)}`
      : `${a.account} lacks role ${short(a.neededRole)}, which this needs: the registry admin can grant it`;
  },
  AccessControlBadConfirmation: () =>
    "an account can renounce only its own role: sign with the key of the account that gives the role up",
  AccessControlEnforcedDefaultAdminDelay: (a) =>
    `the admin transfer can complete only after its delay, at ${day(a.schedule)}: accept it then`,
  AccessControlEnforcedDefaultAdminRules: () =>
    "the registry admin role moves only by a two-step transfer with a delay: the admin begins it " +
    "(beginDefaultAdminTransfer) and the new admin accepts it after the delay",
  AccessControlInvalidDefaultAdmin: (a) =>
    `${a.defaultAdmin} is not the pending registry admin: only the account the transfer names can accept it`,
  ERC1155InsufficientBalance: (a) =>
    `${a.sender} holds ${a.balance} I-TEC(s) of batch #${a.tokenId}, fewer than the ${a.needed} asked: see its ` +
    `holdings with \`itec cert balance ${a.sender}\``,
  ERC1155InvalidReceiver: (a) =>
    a.receiver === ZeroAddress
      ? "I-TECs cannot be sent to the zero address: to take them out of circulation, retire them (`itec retire`)"
      : `${a.receiver} does not accept I-TECs (a contract without the ERC-1155 receiver hook): send them to another ` +
        "admitted account",
  ERC1155InvalidSender: (a) => `I-TECs cannot be sent from ${a.sender}: sign with the holder's own key`,
  ERC1155MissingApprovalForAll: (a) =>
    `${a.operator} may not move the I-TECs of ${a.owner}: the holder sends them itself (\`itec cert transfer\`) ` +
    "or approves the operator first",
  ERC1155InvalidApprover: (a) => `${a.approver} cannot approve an operator: sign with the holder's own key`,
  ERC1155InvalidOperator: (a) => `${a.operator} cannot be an operator: name the operator's real account`,
  ERC1155InvalidArrayLength: (a) =>
    `the transfer lists ${a.idsLength} batch id(s) but ${a.valuesLength} amount(s): give one amount per batch`,
};

/**
 * The sentence for a decoded revert. A revert the table does not know (an unknown selector, or a node that
 * returned no data) keeps its raw message, with the next step that always applies.
 */
export function revertSentence(revert: { name: string; args: Args; message: string }): string {
  const sentence = REVERT_SENTENCES[revert.name];
  if (sentence) return sentence(revert.args);
  return `the registry refuses this transaction (${revert.message}): check the command's arguments and the accounts' standing (\`itec participant show <address>\`)`;
}
