/**
 * The review screen (issue 15 §4): everything the attestation says next to the report's figures, the checks
 * recomputed here in the browser (sdk/src/attestation-review.ts, the same as `itec auditor review`), the report's
 * exact bytes to download, and then Sign (EIP-712 in the wallet) or Reject with a signed reason. A failed check
 * disables Sign and names the check: the auditor can still reject, which is what a failed check calls for.
 */
import { failedChecks } from "../../../../sdk/src/attestation-review.ts";

import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { declined, sentence } from "../../ui/errors.ts";
import { count, dateTime, gramsAsKg } from "../../ui/format.ts";
import { stackedTable } from "../../ui/stacked-table.ts";
import { countedSignatures, figureRows, loadReview, signable, signedBy, type LoadedReview } from "./review-data.ts";
import { rejectAttestation, signAttestation, type BatchJob } from "./sign.ts";

export const reviewScreen: Screen = {
  path: "/reviews/:id",
  title: "Review an attestation",
  roles: ["auditor"],
  async render(ctx, params) {
    const r = await loadReview(ctx, params.id!);
    return h(
      "div",
      { class: "review" },
      summary(ctx, r),
      checksSection(r),
      figuresSection(r),
      decisionSection(ctx, r),
      payloadSection(r),
    );
  },
};

const STATE_WORDS: Record<string, string> = {
  awaiting_signatures: "awaiting auditors' signatures",
  ready: "ready: it has enough signatures and the oracle will post it",
  submitted: "sent to the chain by the oracle",
  confirmed: "issued on the chain",
  rejected: "rejected by an auditor",
  failed: "failed",
};

function standingText(r: LoadedReview): string {
  const n = countedSignatures(r.view).length;
  const of = r.view.threshold === null ? "" : ` of ${count(r.view.threshold)} needed`;
  return `${count(n)} signature${n === 1 ? "" : "s"}${of}`;
}

function summary(ctx: AppContext, r: LoadedReview): HTMLElement {
  const { view } = r;
  return section(
    `Review ${view.batchId}`,
    h(
      "p",
      {},
      `Batch ${view.batchId} of lot ${view.lotId}: ${count(view.review.certificates)} I-TEC of ${view.review.category} ` +
        `devices, to be issued to ${view.review.owner}.`,
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "State"),
      h("dd", { id: "review-state" }, STATE_WORDS[view.state] ?? view.state),
      h("dt", {}, "Signatures so far"),
      h("dd", { id: "review-signatures" }, standingText(r)),
      h("dt", {}, "Signable until"),
      h("dd", {}, dateTime(view.deadline)),
      h("dt", {}, "You"),
      h(
        "dd",
        { class: "mono" },
        `${ctx.session.address ?? ""}${signedBy(view, ctx.session.address) ? " (your signature is counted)" : ""}`,
      ),
    ),
    h("p", {}, h("a", { href: "#/reviews" }, "Back to the review queue")),
  );
}

function checksSection(r: LoadedReview): HTMLElement {
  const failed = failedChecks(r.checks);
  return h(
    "section",
    { class: "card", "aria-labelledby": "checks-title" },
    h("h2", { id: "checks-title" }, "Checks recomputed in your browser"),
    h(
      "p",
      { id: "checks-verdict", class: failed.length ? "error" : "success" },
      failed.length
        ? `${count(failed.length)} of ${count(r.checks.length)} checks failed: do not sign this attestation.`
        : `All ${count(r.checks.length)} checks passed: the payload your wallet will sign states exactly these figures, and the report is the one hashed.`,
    ),
    h(
      "ul",
      { class: "checks" },
      ...r.checks.map((c) =>
        h(
          "li",
          { class: c.passed ? "pass" : "fail", "data-check": c.check },
          h("strong", {}, c.passed ? "✓ Passed: " : "✗ Failed: "),
          `${c.check}. `,
          h("span", { class: "detail" }, c.detail),
        ),
      ),
    ),
    h(
      "p",
      { class: "muted" },
      "These are the checks `itec auditor review` runs, computed here from the payload and the report's bytes, " +
        "without trusting the registry's word.",
    ),
  );
}

function figuresSection(r: LoadedReview): HTMLElement {
  const rows = figureRows(r, gramsAsKg, count);
  const blob = URL.createObjectURL(new Blob([r.report as BlobPart], { type: "application/json" }));
  return h(
    "section",
    { class: "card", "aria-labelledby": "figures-title" },
    h("h2", { id: "figures-title" }, "What you attest, next to the report"),
    stackedTable(
      `Attestation ${r.view.batchId}: the signed figures and the calculation report's`,
      ["Figure", "Signed in the attestation", "In the report"],
      rows.map((row) => [row.figure, { content: row.signed, class: "mono" }, { content: row.report, class: "mono" }]),
      () => ({}),
      "labels-above",
    ),
    h(
      "p",
      { class: "actions" },
      h(
        "a",
        { class: "button", href: blob, download: `${r.view.lotId}-report.json`, id: "report-download" },
        `Download the report (${count(r.report.length)} bytes, exactly as hashed)`,
      ),
      h("a", { href: `/lots/${encodeURIComponent(r.view.lotId)}/report` }, "Open the published report"),
    ),
  );
}

function payloadSection(r: LoadedReview): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "payload-title" },
    h("h2", { id: "payload-title" }, "The exact payload your wallet signs"),
    h(
      "details",
      {},
      h("summary", {}, "eth_signTypedData_v4 payload (EIP-712)"),
      h("pre", { class: "mono payload", tabindex: 0 }, JSON.stringify(r.view.typedData, null, 2)),
    ),
  );
}

function decisionSection(ctx: AppContext, r: LoadedReview): HTMLElement {
  const { view } = r;
  const body = h("div", {});
  const sectionEl = h(
    "section",
    { class: "card", "aria-labelledby": "decision-title" },
    h("h2", { id: "decision-title" }, "Your decision"),
    body,
  );
  if (signedBy(view, ctx.session.address)) {
    replace(body, h("p", { class: "success" }, `Your signature is counted: ${standingText(r)}. Nothing more to do.`));
    return sectionEl;
  }
  if (!signable(view)) {
    replace(
      body,
      h(
        "p",
        { class: "warning" },
        `This batch is ${STATE_WORDS[view.state] ?? view.state}: it takes no more signatures or rejections.`,
      ),
    );
    return sectionEl;
  }
  const covered = ctx.session.me?.accreditation?.categories;
  if (covered && !covered.includes(view.review.category)) {
    replace(
      body,
      h(
        "p",
        { class: "warning" },
        `Your accreditation covers ${covered.join(", ")} devices, not ${view.review.category}: ` +
          "your signature would not count. Ask the registry operator to extend your accreditation.",
      ),
    );
    return sectionEl;
  }
  if (Date.parse(view.deadline) <= Date.now()) {
    replace(
      body,
      h(
        "p",
        { class: "warning" },
        "This attestation's signing deadline has passed: the oracle renews it with a new deadline; reload in a " +
          "minute and review the renewed attestation.",
      ),
    );
    return sectionEl;
  }
  replace(body, signPart(ctx, r), rejectPart(ctx, r));
  return sectionEl;
}

function signPart(ctx: AppContext, r: LoadedReview): HTMLElement {
  const failed = failedChecks(r.checks);
  const status = h("p", { class: "status", role: "status", id: "sign-status" });
  const why = failed.length
    ? h(
        "p",
        { class: "error", id: "sign-disabled-why" },
        `Signing is disabled because ${failed.length === 1 ? "a check" : "checks"} failed: ` +
          `${failed.map((c) => `“${c}”`).join(", ")}. Reject the attestation with the reason below, or ask the ` +
          "registry operator why the figures differ.",
      )
    : null;
  const button = h(
    "button",
    {
      type: "button",
      class: "primary",
      id: "sign-attestation",
      disabled: failed.length > 0,
      "aria-describedby": why ? "sign-disabled-why" : null,
    },
    "Sign the attestation in your wallet",
  );
  button.addEventListener("click", () => {
    void (async () => {
      button.disabled = true;
      status.className = "status";
      status.textContent =
        "Waiting for your wallet: sign the attestation there (a signature only: no transaction, no fee).";
      try {
        const job = await signAttestation(ctx, r.view);
        const after = await loadReview(ctx, r.view.batchId).catch(() => undefined);
        const standing = after ? standingText(after) : "your signature is recorded";
        status.className = "status success";
        status.textContent = `Your signature was accepted: ${standing}; the batch is ${STATE_WORDS[job.state] ?? job.state}.`;
        const counted = document.getElementById("review-signatures");
        if (counted && after) counted.textContent = standingText(after);
      } catch (error) {
        if (ctx.session.expired(error)) return;
        status.className = "status error";
        status.textContent = declined(error)
          ? "You declined it in your wallet: nothing was signed or sent. You can sign again when ready."
          : sentence(error, "Signing the attestation");
        button.disabled = false;
      }
    })();
  });
  return h(
    "div",
    { class: "sign" },
    h(
      "p",
      {},
      "Signing attests that these figures are correct. Your wallet shows the same typed data; only the signature " +
        "is sent to the registry.",
    ),
    why,
    h("div", { class: "actions" }, button),
    status,
  );
}

function rejectPart(ctx: AppContext, r: LoadedReview): HTMLElement {
  const reason = h("textarea", { id: "reject-reason", rows: 3, maxlength: 1000, required: true });
  const status = h("p", { class: "status", role: "status", id: "reject-status" });
  const button = h("button", { type: "submit", id: "reject-attestation" }, "Reject with this reason");
  const form = h(
    "form",
    { class: "reject", "aria-labelledby": "reject-title", novalidate: true },
    h("h3", { id: "reject-title" }, "Reject"),
    field("Reason for rejecting", reason, "Kept with the batch and signed by your wallet (1 to 1,000 characters)."),
    h("div", { class: "actions" }, button),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (text.length === 0 || text.length > 1000) {
      status.className = "status error";
      status.textContent = "Write the reason for rejecting (1 to 1,000 characters) first: nothing was signed.";
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    reason.removeAttribute("aria-invalid");
    void (async () => {
      button.disabled = true;
      status.className = "status";
      status.textContent = "Waiting for your wallet: sign the rejection there (a signature only: no transaction).";
      try {
        const job: BatchJob = await rejectAttestation(ctx, r.view, text);
        status.className = "status success";
        status.textContent = `The rejection was recorded: the batch is ${STATE_WORDS[job.state] ?? job.state} (“${job.reason ?? text}”). Nothing will be issued from this attestation.`;
        const state = document.getElementById("review-state");
        if (state) state.textContent = STATE_WORDS[job.state] ?? job.state;
        const sign = document.getElementById("sign-attestation") as HTMLButtonElement | null;
        if (sign) sign.disabled = true;
      } catch (error) {
        if (ctx.session.expired(error)) return;
        status.className = "status error";
        status.textContent = declined(error)
          ? "You declined it in your wallet: nothing was signed or sent. The attestation is not rejected."
          : sentence(error, "Rejecting the attestation");
        button.disabled = false;
      }
    })();
  });
  return form;
}
