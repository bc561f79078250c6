/**
 * `itec auditor register-body|rename-body|accredit|revoke|threshold|list` (the registry admin's auditing bodies and
 * the accreditation of their signing addresses) and `itec auditor review|sign|reject` (an auditor's work). A
 * signature counts at issuance only from an address accredited for the batch's device category within its window,
 * and the threshold counts distinct auditing bodies. Review shows everything the auditor attests and checks it on
 * the auditor's machine (auditor-review.ts). Sign refuses when any check fails; it signs with the auditor's own key
 * and sends only the signature.
 */
import { InvalidArgumentError, type Command } from "commander";
import { getAddress } from "ethers";

import { REJECTION_TYPES } from "../../sdk/src/attestation.ts";
import type { AttestationView } from "../../sdk/src/attestation-review.ts";
import { ApiClient, ApiError, type UnsignedTx } from "../../sdk/src/api-client.ts";
import { CATEGORIES } from "../../sdk/src/enums.ts";
import {
  action,
  confirm,
  group,
  indexNote,
  loadKey,
  parseAddress,
  parseBatchJobId,
  parseDay,
  print,
  table,
  thisCommand,
  refuseDevKeyFor,
  transact,
  withApi,
  withSigner,
  type ApiOptions,
  type SignerOptions,
} from "./common.ts";
import { fetchReview, fetchSample, parseEvidence, reviewJson, reviewLines } from "./auditor-review.ts";

type SignOptions = SignerOptions & { yes?: boolean; reportOut?: string };

/** `--categories laptop,desktop` or `all` → the category names, each once. */
function parseCategories(value: string): string[] {
  if (value === "all") return [...CATEGORIES];
  const names = value.split(",").map((c) => c.trim());
  const unknown = names.filter((c) => !(CATEGORIES as readonly string[]).includes(c));
  if (unknown.length || names.length === 0) {
    throw new InvalidArgumentError(`expected "all" or a comma-separated list of ${CATEGORIES.join(", ")}.`);
  }
  return [...new Set(names)];
}

function parseBodyId(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 0xffffffff) {
    throw new InvalidArgumentError("expected an auditing body id (a positive integer).");
  }
  return Number(value);
}

/** What GET /participants/:address says of an auditor's accreditation. */
interface AccreditationView {
  bodyId: number;
  body: string;
  categories: string[];
  validFrom: string;
  validUntil: string;
}

export function registerAuditor(program: Command): void {
  const auditor = group(
    program,
    "auditor",
    "auditing bodies and accreditation (admin); attestation review, signing and rejection",
  );

  withSigner(
    auditor
      .command("register-body")
      .description("register an auditing body; its id is in the AuditorBodyRegistered event (registry admin)")
      .argument("<name>", "the body's name (1-200 bytes; no \" \\ < > & or control characters)"),
  ).action(
    action(async (name: string, o: SignerOptions) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/admin/auditor-bodies", { name }), { action: "register-body", name }),
    ),
  );

  withSigner(
    auditor
      .command("rename-body")
      .description("change an auditing body's name (registry admin)")
      .argument("<bodyId>", "the body's id", parseBodyId)
      .requiredOption("--name <name>", "the new name"),
  ).action(
    action(async (bodyId: number, o: SignerOptions & { name: string }) =>
      transact(o, (s) => s.api.request<UnsignedTx>("PUT", `/admin/auditor-bodies/${bodyId}/name`, { name: o.name }), {
        action: "rename-body",
        bodyId,
        name: o.name,
      }),
    ),
  );

  withSigner(
    auditor
      .command("accredit")
      .description(
        "accredit an auditor's signing address for an auditing body, device categories and a window (registry admin)",
      )
      .argument("<address>", "the auditor's signing address (not the admin's or the issuer's)", parseAddress)
      .requiredOption("--body <id>", "the auditing body it signs for", parseBodyId)
      .requiredOption(
        "--categories <list>",
        `"all" or a comma-separated list of ${CATEGORIES.join(", ")}`,
        parseCategories,
      )
      .requiredOption("--from <date>", "first day of the accreditation YYYY-MM-DD (UTC)", parseDay)
      .requiredOption("--until <date>", "last day of the accreditation YYYY-MM-DD (UTC), inclusive", parseDay)
      .addHelpText(
        "after",
        "\nAccrediting an address again replaces its accreditation (another body, scope or window). Expiry needs no " +
          "transaction: the registry reads the window at issuance.",
      ),
  ).action(
    action(
      async (
        account: string,
        o: SignerOptions & { body: number; categories: string[]; from: string; until: string },
      ) => {
        if (o.until < o.from) throw new Error("--until is before --from");
        const body = { bodyId: o.body, categories: o.categories, validFrom: o.from, validUntil: o.until };
        return transact(o, (s) => s.api.request<UnsignedTx>("PUT", `/admin/auditors/${account}/accreditation`, body), {
          action: "accredit",
          account,
          ...body,
        });
      },
    ),
  );

  withSigner(
    auditor
      .command("revoke")
      .description("withdraw an auditor's accreditation before it expires (registry admin)")
      .argument("<address>", "the auditor's signing address", parseAddress)
      .requiredOption("--reason <text>", "why (recorded on-chain in the event)"),
  ).action(
    action(async (account: string, o: SignerOptions & { reason: string }) =>
      transact(o, (s) => s.api.post<UnsignedTx>(`/admin/auditors/${account}/revoke`, { reason: o.reason }), {
        action: "revoke",
        account,
        reason: o.reason,
      }),
    ),
  );

  withSigner(
    auditor
      .command("threshold")
      .description("set how many distinct auditing bodies must sign an issuance (registry admin)")
      .argument("<n>", "1 to 255, at most the bodies with an accredited auditor", (v: string) => {
        if (!/^[1-9][0-9]{0,2}$/.test(v) || Number(v) > 255)
          throw new InvalidArgumentError("expected an integer 1 to 255.");
        return Number(v);
      }),
  ).action(
    action(async (threshold: number, o: SignerOptions) =>
      transact(o, (s) => s.api.request<UnsignedTx>("PUT", "/admin/auditors/threshold", { threshold }), {
        action: "threshold",
        threshold,
      }),
    ),
  );

  withApi(
    auditor
      .command("list")
      .description("accredited auditors with their bodies, categories and windows, and the threshold"),
  ).action(
    action(async (o: ApiOptions) => {
      const api = new ApiClient(o.api);
      const res = await api.get<{
        auditors: string[];
        threshold: number;
        index: { lastBlock: number | null; head: number; lagBlocks: number | null };
      }>("/auditors");
      // Body, scope and window from the chain (the listing is the index's).
      const accreditations = await Promise.all(
        res.auditors.map(async (a) => ({
          auditor: a,
          accreditation:
            (await api.get<{ accreditation?: AccreditationView | null }>(`/participants/${a}`)).accreditation ?? null,
        })),
      );
      print(o, { ...res, accreditations }, () => [
        `threshold: signatures of ${res.threshold} auditing bod${res.threshold === 1 ? "y" : "ies"} per issuance`,
        ...(accreditations.length
          ? table(
              ["auditor", "body", "categories", "valid"],
              accreditations.map(({ auditor: a, accreditation: x }) => [
                a,
                x ? `#${x.bodyId} ${x.body}` : "—",
                x ? (x.categories.length === CATEGORIES.length ? "all" : x.categories.join(",")) : "—",
                x ? `${x.validFrom.slice(0, 10)} to ${x.validUntil.slice(0, 10)}` : "—",
              ]),
            ).map((l) => `  ${l}`)
          : ["  no auditors"]),
        indexNote(res.index),
      ]);
    }),
  );

  withSigner(
    auditor
      .command("review")
      .description("show what an attestation says and check it before signing (no key needed)")
      .argument("<batchJobId>", "batch job id, e.g. L12-laptop", parseBatchJobId)
      .option("--report-out <file>", "also save the calculation report (the exact hashed bytes) here")
      .option("--sample", "sign in with your key and list the batch's audit sample with your evidence record")
      .option("--evidence <list>", "record evidence per sampled device: seen:<deviceId>,missing:<deviceId>,…"),
  ).action(
    action(async (batchId: string, o: SignerOptions & { reportOut?: string; sample?: boolean; evidence?: string }) => {
      const api = new ApiClient(o.api);
      const evidence = o.evidence === undefined ? [] : parseEvidence(o.evidence);
      const r = await fetchReview(api, batchId, o.reportOut);
      if (o.sample || evidence.length > 0) {
        await api.signIn(await loadKey(o));
        r.sample = await fetchSample(api, batchId, evidence);
      }
      print(o, reviewJson(r), () => reviewLines(r));
      if (r.checks.some((c) => !c.passed)) {
        throw new Error(
          `attestation ${batchId} failed ${r.checks.filter((c) => !c.passed).length} check(s): do not sign`,
        );
      }
    }),
  );

  withSigner(
    auditor
      .command("sign")
      .description("review an attestation again, then sign it (EIP-712) with your own key and submit the signature")
      .argument("<batchJobId>", "batch job id, e.g. L12-laptop", parseBatchJobId)
      .option("--yes", "sign without the interactive confirmation (required when not on a terminal)")
      .option("--report-out <file>", "also save the calculation report (the exact hashed bytes) here")
      .addHelpText(
        "after",
        "\nSigning again is safe: when your signature is already counted for the batch's attestation, sign says so " +
          "and exits 0 without signing; when the batch takes no more signatures, it says whether yours is among " +
          "those counted.",
      ),
  ).action(
    action(
      async (batchId: string, o: SignOptions) => {
        const signer = await loadKey(o);
        const me = getAddress(await signer.getAddress());
        const api = new ApiClient(o.api);
        // Signed already (a re-run after a lost answer, say)? Then say so, and sign nothing.
        const before = await signatureStanding(api, batchId, me);
        if (before.mine) return alreadyCounted(o, before);
        if (!["awaiting_signatures", "ready"].includes(before.state)) throw notCounted(before);
        const r = await fetchReview(api, batchId, o.reportOut);
        if (!o.json) process.stdout.write(`${reviewLines(r).join("\n")}\n\n`);
        const failed = r.checks.filter((c) => !c.passed);
        if (failed.length) throw new Error(`refusing to sign ${batchId}: ${failed.map((c) => c.check).join("; ")}`);
        await confirm(`Sign attestation ${batchId} (digest ${r.view.digest}) as ${me}?`, o.yes);
        const { EIP712Domain: _domain, ...types } = r.view.typedData.types;
        await refuseDevKeyFor(signer, r.view.typedData.domain.chainId);
        const signature = await signer.signTypedData(r.view.typedData.domain, types, r.view.typedData.message);
        let job: { state: string };
        try {
          job = await api.post<{ state: string }>(`/batches/${batchId}/signatures`, { auditor: me, signature });
        } catch (error) {
          // ALREADY_SIGNED / BATCH_STATE: tell the auditor whether their signature is among the counted ones.
          if (!(error instanceof ApiError) || !["ALREADY_SIGNED", "BATCH_STATE"].includes(error.code)) throw error;
          const after = await signatureStanding(api, batchId, me);
          if (after.mine) return alreadyCounted(o, after);
          if (error.code === "BATCH_STATE" && !["awaiting_signatures", "ready"].includes(after.state)) {
            throw notCounted(after);
          }
          throw error;
        }
        const accepted = await acceptedCount(api, batchId, r.view.digest);
        print(
          o,
          {
            batchId,
            auditor: me,
            digest: r.view.digest,
            signature,
            state: job.state,
            accepted,
            threshold: r.view.threshold,
          },
          () => [
            `✓ ${me} signed ${batchId}: ${accepted} of ${r.view.threshold ?? "?"} signature(s); batch is ${job.state}` +
              (job.state === "ready" ? " (the oracle will post it)" : ""),
          ],
        );
      },
      {
        ifUnsure: (batchId: string) =>
          `\`itec auditor review ${batchId}\` lists the signatures counted so far, and running the same command ` +
          `again is safe (it says whether yours was counted): ${thisCommand()}`,
      },
    ),
  );

  withSigner(
    auditor
      .command("reject")
      .description("refuse to attest, with a reason signed as EIP-712 Rejection over the attestation digest")
      .argument("<batchJobId>", "batch job id, e.g. L12-laptop", parseBatchJobId)
      .requiredOption("--reason <text>", "what is wrong (1-1000 characters, kept with the batch)")
      .option("--yes", "reject without the interactive confirmation (required when not on a terminal)"),
  ).action(
    action(
      async (batchId: string, o: SignerOptions & { reason: string; yes?: boolean }) => {
        const reason = o.reason.trim();
        if (reason.length === 0 || reason.length > 1000) throw new Error("--reason must be 1 to 1000 characters");
        const signer = await loadKey(o);
        const me = getAddress(await signer.getAddress());
        const api = new ApiClient(o.api);
        const view = await api.get<AttestationView>(`/batches/${batchId}/attestation`);
        await confirm(`Reject attestation ${batchId} (digest ${view.digest}) as ${me}: "${reason}"?`, o.yes);
        await refuseDevKeyFor(signer, view.typedData.domain.chainId);
        const signature = await signer.signTypedData(view.typedData.domain, REJECTION_TYPES, {
          attestationDigest: view.digest,
          reason,
        });
        const job = await api.post<{ state: string }>(`/batches/${batchId}/rejections`, {
          auditor: me,
          reason,
          signature,
        });
        print(o, { batchId, auditor: me, reason, digest: view.digest, signature, state: job.state }, () => [
          `✓ ${me} rejected ${batchId} ("${reason}"); batch is ${job.state}`,
        ]);
      },
      {
        ifUnsure: (batchId: string) =>
          `\`itec lot status ${batchId.split("-")[0]}\` shows whether the batch is rejected; if it is not, run the same command again: ${thisCommand()}`,
      },
    ),
  );
}

interface SignatureStanding {
  batchId: string;
  auditor: string;
  state: string;
  digest: string | null;
  tokenId: string | null;
  /** Auditors whose accepted signature is over the batch's current attestation. */
  counted: string[];
  mine: boolean;
}

/** Whether `me`'s signature is among those counted for the batch's attestation (from `GET /batches/:id`). */
async function signatureStanding(api: ApiClient, batchId: string, me: string): Promise<SignatureStanding> {
  const job = await api.get<{
    state: string;
    digest: string | null;
    tokenId: string | null;
    signatures: { auditor: string; status: string; digest?: string }[];
  }>(`/batches/${batchId}`);
  const counted = job.signatures
    .filter(
      (s) => s.status === "accepted" && job.digest !== null && (s.digest === undefined || s.digest === job.digest),
    )
    .map((s) => getAddress(s.auditor));
  return {
    batchId,
    auditor: me,
    state: job.state,
    digest: job.digest,
    tokenId: job.tokenId,
    counted,
    mine: counted.includes(me),
  };
}

/** Exit 0: the auditor's signature was counted before (this run signs nothing). */
function alreadyCounted(o: ApiOptions, s: SignatureStanding): void {
  print(o, { ...s, alreadyCounted: true }, () => [
    `✓ your signature (${s.auditor}) was already counted for ${s.batchId}: ${s.counted.length} signature(s) ` +
      `counted; batch is ${s.state}${s.tokenId ? ` → batch #${s.tokenId}` : ""}. Nothing new was signed.`,
  ]);
}

/** BATCH_STATE for a batch past signing, saying that the auditor's signature is not among those counted. */
function notCounted(s: SignatureStanding): ApiError {
  const n = s.counted.length;
  return new ApiError(409, {
    code: "BATCH_STATE",
    detail:
      `batch ${s.batchId} is ${s.state}: it takes no signatures; yours (${s.auditor}) is not among the ${n} ` +
      `counted${n ? ` (${s.counted.join(", ")})` : ""}, and there is nothing to sign`,
    state: s.state,
    counted: s.counted,
    auditorCounted: false,
  });
}

async function acceptedCount(api: ApiClient, batchId: string, digest: string): Promise<number> {
  const job = await api.get<{ signatures: { status: string; digest?: string }[] }>(`/batches/${batchId}`);
  return job.signatures.filter((s) => s.status === "accepted" && (s.digest === undefined || s.digest === digest))
    .length;
}
