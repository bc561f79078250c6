// The verification page: reads the id from the URL (/verify/retirements/:id or /verify/batches/:id), asks the
// API (which answers from the chain) and shows the verdict, the claim's status (verified, reversed, replaced), the
// claim, the batch and its standing, the on-chain proof and what was checked — organisations by the names the
// register gives them, their addresses small beside them.
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "—")));
  return node;
}

function table(rows) {
  const t = el("table");
  for (const [label, value] of rows) {
    const cell = el("td");
    if (value instanceof Node) cell.append(value);
    else cell.textContent = value === null || value === undefined || value === "" ? "—" : String(value);
    t.append(el("tr", {}, el("th", { scope: "row" }, label), cell));
  }
  return t;
}

const link = (href, text) => (href ? el("a", { href }, text ?? href) : "—");
const day = (iso) => (iso ? iso.slice(0, 10) : "—");
const batchLink = (id) => el("a", { href: `/verify/batches/${id}` }, `batch #${id}`);

/** An organisation by its name on the register, its address small beside it (the address alone when unnamed). */
function who(account, name) {
  if (!account) return "—";
  const address = el("code", { class: "address" }, account);
  return name ? el("span", {}, `${name} `, el("small", {}, address)) : address;
}

function list(items) {
  const ul = el("ul", { class: "plain" });
  for (const item of items) ul.append(el("li", {}, ...item));
  return ul;
}

const STATUS_WORDS = { active: "ACTIVE", suspended: "SUSPENDED", reversed: "REVERSED" };

function batchSection(b) {
  const r = b.reversal;
  return el(
    "section",
    { class: "card", id: "batch" },
    el("h2", {}, `Batch #${b.batchId} — ${b.category}`),
    table([
      [
        "Status",
        el(
          "span",
          { id: "batch-status" },
          el("strong", { class: `badge ${b.status}` }, STATUS_WORDS[b.status] ?? b.status),
          ` ${b.statusDetail}`,
        ),
      ],
      ["Owner at issuance", who(b.owner, b.ownerName)],
      ["Certificates issued (devices)", b.issued],
      [
        b.status === "reversed" ? "Retired / cancelled" : "Retired / outstanding",
        b.status === "reversed" ? `${b.retired} / ${b.cancelled}` : `${b.retired} / ${b.outstanding}`,
      ],
      ...(r
        ? [
            ["Reversal reason", r.reason],
            ["Reversal evidence", link(r.evidenceURI)],
            ["Reversal transaction", r.event ? el("code", {}, r.event.txHash) : "—"],
          ]
        : []),
      ["Baseline, new equivalent", `${b.baselineKgPerDevice} kgCO2e per device`],
      ["Verified reduction", `${b.reductionKgPerDevice} kgCO2e per device`],
      ["Certified intensity", `${b.certifiedIntensityKgPerDevice} kgCO2e per device`],
      ["Vintage (refurbished)", `${b.vintageStart} … ${b.vintageEnd}`],
      ["Methodology", `${b.methodology} / ${b.parameters}`],
      [
        "Auditors",
        b.signers.length
          ? list(
              b.signers.map((s) => [
                s.body ?? "no current accreditation",
                " ",
                el("small", {}, el("code", { class: "address" }, s.auditor)),
              ]),
            )
          : "—",
      ],
      ["Report hash", el("code", {}, b.reportHash)],
      ["Calculation report", link(b.evidenceURI)],
      ["Device Merkle root", el("code", {}, b.deviceRoot)],
      ["Audit sample", sampleCell(b)],
      ["Issuance transaction", b.issuance ? el("code", {}, b.issuance.txHash) : "—"],
    ]),
    recomputeBlock(b),
  );
}

/**
 * The audit sample line, replayed in this browser (/app/verify/recompute.js `sampleHere`, sdk/src/sample.ts): the
 * public record's hash against the chain's sampleHash, the seed, n and the devices redrawn from the report.
 */
function sampleCell(b) {
  const cell = el("span", { id: "audit-sample" }, "checking…");
  if (!b.sampleHash || /^0x0{64}$/.test(b.sampleHash)) {
    cell.textContent = "no audit sample recorded";
    return cell;
  }
  import("/app/verify/recompute.js")
    .then(({ sampleHere }) => sampleHere(b))
    .then((s) => {
      const failed = s.checks.filter((c) => !c.passed);
      cell.replaceChildren(
        s.summary,
        el("small", {}, s.verified ? " (replayed here: identical)" : " (NOT VERIFIED)"),
        ...(failed.length ? [list(failed.map((c) => [`✗ ${c.check}: ${c.detail}`]))] : []),
      );
    })
    .catch((err) => {
      cell.replaceChildren(el("span", { class: "error" }, `could not check the sample: ${err.message ?? err}`));
    });
  return cell;
}

/**
 * "Recompute here": the batch recomputed in this browser from its published report and the reference data, with
 * the registry's own calculation (/app/verify/recompute.js, built from sdk/src/recompute.ts and core/calc): the
 * report's hash, the report byte for byte, the figures and the device root against the chain's.
 */
function recomputeBlock(b) {
  const out = el("div", { id: "recomputed", role: "status", "aria-live": "polite" });
  out.textContent = "";
  const button = el("button", { type: "button", id: "recompute" }, "Recompute here");
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(el("p", {}, "Recomputing in this browser…"));
    try {
      const { recomputeHere } = await import("/app/verify/recompute.js");
      const r = await recomputeHere(b);
      const verdict = r.identical
        ? "recomputed here: identical"
        : `recomputed here: ${r.recomputed ? "DIFFERENT" : "refused"} (${r.differences.length} difference(s))`;
      out.replaceChildren(
        el("p", { id: "recomputed-verdict" }, el("strong", {}, verdict)),
        list(r.checks.map((c) => [`${c.passed ? "✓" : "✗"} ${c.check}: ${c.detail}`])),
        ...(r.differences.length
          ? [list(r.differences.map((d) => [`${d.where} · ${d.field}: expected ${d.expected}, found ${d.actual}`]))]
          : []),
      );
    } catch (err) {
      out.replaceChildren(el("p", { class: "error" }, `could not recompute here: ${err.message ?? err}`));
    } finally {
      button.disabled = false;
    }
  });
  return el("div", { class: "recompute" }, button, out);
}

/** The claim's status from contract state: verified, reversed (who owes the replacement), replaced (from which). */
function claimStatusCell(v) {
  const s = v.claimStatus;
  if (s.status === "reversed") {
    return el(
      "span",
      { id: "claim-status" },
      el("strong", { class: "badge reversed" }, "REVERSED"),
      " not valid until replaced: ",
      batchLink(s.batchId),
      " was found wrong and reversed. Replacement owed by ",
      s.owedBy ? who(s.owedBy.account, s.owedBy.name) : "the batch's owner",
      ".",
    );
  }
  if (s.status === "replaced") {
    return el(
      "span",
      { id: "claim-status" },
      el("strong", { class: "badge active" }, "REPLACED"),
      " now rests on ",
      batchLink(s.batchId),
      "; originally ",
      s.originalBatchId ? batchLink(s.originalBatchId) : "an unknown batch",
      ", which was reversed.",
      ...s.history.map((h) =>
        el(
          "small",
          { class: "replacement" },
          `Replaced from batch #${h.batchId} by `,
          who(h.holder.account, h.holder.name),
          " in tx ",
          el("code", {}, h.event.txHash),
        ),
      ),
    );
  }
  return el(
    "span",
    { id: "claim-status" },
    el("strong", { class: "badge active" }, "VERIFIED"),
    " rests on ",
    batchLink(s.batchId),
    ", where it was retired.",
  );
}

const VERDICT_HEADINGS = {
  verified: (id) => `Retirement #${id} verified on-chain`,
  replaced: (id) => `Retirement #${id} verified on-chain (replaced)`,
  reversed: (id) => `Retirement #${id} REVERSED — not valid until replaced`,
  failed: (id) => `Retirement #${id}: checks failed`,
};

function retirementView(v) {
  const c = v.claim;
  const frag = document.createDocumentFragment();
  frag.append(
    el(
      "section",
      { class: `card verdict ${v.verified ? "ok" : "bad"} ${v.verdict}`, id: "verdict" },
      el("h2", {}, (VERDICT_HEADINGS[v.verdict] ?? VERDICT_HEADINGS.failed)(v.retirementId)),
      el("p", { id: "summary" }, v.summary),
      el("p", {}, v.statement),
      el(
        "p",
        { class: "documents" },
        "Retirement certificate: ",
        el(
          "a",
          { href: `/retirements/${v.retirementId}/certificate.pdf`, id: "certificate-pdf", type: "application/pdf" },
          "PDF",
        ),
        " · ",
        el("a", { href: `/retirements/${v.retirementId}/certificate.html`, id: "certificate-html" }, "HTML"),
      ),
    ),
    el(
      "section",
      { class: "card", id: "claim" },
      el("h2", {}, "Claim"),
      table([
        ["Claim status", claimStatusCell(v)],
        ["Beneficiary", c.beneficiaryName],
        ["Beneficiary account", who(c.beneficiary, c.beneficiaryAccountName)],
        ["Retired by (holder)", who(c.account, c.accountName)],
        ["Operator", who(c.operator, c.operatorName)],
        ["Certificates retired", `${c.amount} I-TEC (1 I-TEC = one verified refurbished device)`],
        ["Reduction claimed", `${v.totals.reductionKgClaimed} kgCO2e`],
        ["Reporting period", `${day(c.periodStart)} … ${day(c.periodEnd)}`],
        ["Scope 3 category", c.scope3Category === 1 ? "1 — purchased goods and services" : "2 — capital goods"],
        ["Purpose", c.purpose],
      ]),
    ),
    batchSection(v.batch),
    el(
      "section",
      { class: "card", id: "proof" },
      el("h2", {}, "On-chain proof"),
      table([
        ["Chain id", v.chain.chainId],
        ["Registry contract", el("code", {}, v.chain.registry)],
        ["Transaction", v.proof ? el("code", {}, v.proof.txHash) : "—"],
        ["Block", v.proof ? `${v.proof.blockNumber} (${v.proof.timestamp})` : "—"],
        ["Claim hash", el("code", {}, c.claimHash)],
        ["Checked at block", v.chain.checkedAtBlock],
      ]),
      el(
        "ul",
        { class: "checks" },
        ...v.checks.map((k) =>
          el("li", { class: k.passed ? "pass" : "fail" }, `${k.passed ? "✓" : "✗"} ${k.check} — ${k.detail}`),
        ),
      ),
    ),
  );
  return frag;
}

async function show(kind, id) {
  const status = $("status");
  const result = $("result");
  result.hidden = true;
  result.replaceChildren();
  status.textContent = `Reading ${kind === "batches" ? "batch" : "retirement"} #${id} from the chain…`;
  const res = await fetch(`/verify/${kind}/${encodeURIComponent(id)}`, { headers: { accept: "application/json" } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    status.textContent = body.detail || body.title || `Error ${res.status}`;
    status.className = "error";
    return;
  }
  status.textContent = "";
  status.className = "";
  result.append(kind === "batches" ? batchSection(body) : retirementView(body));
  result.hidden = false;
  document.title = `${kind === "batches" ? "Batch" : "Retirement"} #${id} — I-TEC Registry`;
}

function fromLocation() {
  const m = /^\/verify\/(retirements|batches)\/([1-9][0-9]*)\/?$/.exec(location.pathname);
  return m ? { kind: m[1], id: m[2] } : null;
}

window.addEventListener("DOMContentLoaded", () => {
  const form = $("lookup");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const kind = $("kind").value;
    const id = $("id").value.trim();
    // A shareable URL per retirement / batch.
    history.pushState({}, "", `/verify/${kind}/${id}`);
    show(kind, id).catch((err) => ($("status").textContent = String(err)));
  });
  window.addEventListener("popstate", () => {
    const at = fromLocation();
    if (at) show(at.kind, at.id);
  });
  const at = fromLocation();
  if (at) {
    $("kind").value = at.kind;
    $("id").value = at.id;
    show(at.kind, at.id).catch((err) => ($("status").textContent = String(err)));
  }
});
