/**
 * What a registry revert means for the person who caused it: one sentence per custom error the registry can raise
 * (its own, `IITECRegistry`, and the OpenZeppelin ones it inherits), saying what is wrong and the next step —
 * usually the `itec` command that fixes or explains it. The one table of these sentences: the API puts the
 * sentence in a WOULD_REVERT problem's `detail`, the CLI prints it as its one-line error; the raw error (name and
 * arguments) stays beside it (the problem's `revert` member, the CLI's `--json`).
 *
 * Arguments arrive as `decodeRegistryError` gives them: strings, enums as their number. A test fails when the
 * registry's ABI has an error without a sentence here.
 */
import { ZeroAddress, ZeroHash, id } from "ethers";

import { CATEGORY_NAMES } from "../../sdk/src/enums.ts";

type Args = Readonly<Record<string, string>>;

const ROLES: Record<string, { name: string; nextStep: (account: string) => string }> = {
  [ZeroHash]: {
    name: "registry admin",
    nextStep: () => "sign with the registry admin's key",
  },
  [id("ITEC_AUDITOR_ROLE")]: {
    name: "auditor",
    nextStep: (a) => `the registry admin can grant it with \`itec auditor add ${a}\``,
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
    `\`itec participant admit ${account} --kind <${KINDS}>\``
  );
}

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
    a.auditors === "0"
      ? "there are no auditors yet: the registry admin adds them first (`itec auditor add <address>`), then sets the threshold"
      : `a threshold of ${a.threshold} is not possible with ${a.auditors} auditor(s): choose 1 to ${a.auditors} ` +
        `(\`itec auditor threshold <n>\`), or add auditors first (\`itec auditor add <address>\`)`,
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
    `${a.auditor} does not hold the auditor role: the registry admin can grant it with ` +
    `\`itec auditor add ${a.auditor}\`, or an auditor signs instead`,
  ITECInvalidSignature: (a) =>
    `the signature of ${a.auditor} does not verify over this attestation: the auditor signs it again ` +
    "(`itec auditor sign <batch job>`)",
  ITECInsufficientSignatures: (a) =>
    `the attestation has ${a.provided} auditor signature(s) and ${a.required} are required: more auditors must ` +
    "sign it (`itec auditor sign <batch job>`)",
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
    `batch #${a.batchId} is not suspended: there is nothing to reinstate (\`itec cert show ${a.batchId}\`)`,
  ITECUnknownRetirement: (a) =>
    `there is no retirement #${a.retirementId} on the registry: check the id \`itec retire\` printed`,
  ITECInvalidRetirement: (a) =>
    RETIREMENT_FIELDS[a.field!] ?? `the retirement's ${a.field} is invalid: see \`itec retire --help\``,
  ITECInvalidText: (a) =>
    a.length === "0"
      ? `the ${a.field} is empty: give a text of 1 to 1024 bytes`
      : `the ${a.field} is ${a.length} bytes long: shorten it to at most 1024 bytes`,
  ITECUnsafeText: (a) =>
    `the ${a.field} contains a double quote, a backslash or a control character: remove them and try again`,
  ITECNotHolderOrOperator: (a) =>
    `${a.operator} is neither ${a.holder} nor an operator it approved: sign with the holder's key, or have the ` +
    `holder approve ${a.operator} first`,
  ITECUnknownDeviceRoot: (a) =>
    `no batch on the registry has device root ${short(a.deviceRoot)}: take the root from the batch's calculation report`,
  ITECInvalidDeviceProof: (a) =>
    `the proof does not show device ${short(a.deviceId)} in device root ${short(a.deviceRoot)}: rebuild it from ` +
    "that batch's calculation report",
  ITECSameBatch: (a) =>
    `both device roots belong to batch #${a.batchId}: a duplicate challenge needs devices of two different batches`,

  // ---- OpenZeppelin errors the registry inherits (AccessControl, ERC1155, ShortStrings) ----
  AccessControlUnauthorizedAccount: (a) => {
    const role = ROLES[a.neededRole!.toLowerCase()];
    return role
      ? `${a.account} is not the ${role.name}, which this needs: ${role.nextStep(a.account!)}`
      : `${a.account} lacks role ${short(a.neededRole)}, which this needs: the registry admin can grant it`;
  },
  AccessControlBadConfirmation: () =>
    "an account can renounce only its own role: sign with the key of the account that gives the role up",
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
  StringTooLong: (a) =>
    `"${a.str}" is longer than 31 bytes, the limit of the registry's signing-domain name and version: shorten it`,
  InvalidShortString: () =>
    "the registry's signing-domain name is not a valid short string: redeploy with a name of at most 31 bytes",
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
