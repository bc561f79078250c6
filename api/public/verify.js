// The verification page: reads the id from the URL (/verify/retirements/:id or /verify/batches/:id), asks the
// API (which answers from the chain) and shows the claim, the batch, the on-chain proof and what was checked.
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

function batchSection(b) {
  return el(
    "section",
    { class: "card", id: "batch" },
    el("h2", {}, `Batch #${b.batchId} — ${b.category}`),
    table([
      ["Certificates issued (devices)", b.issued],
      ["Retired / outstanding", `${b.retired} / ${b.outstanding}`],
      ["Baseline, new equivalent", `${b.baselineKgPerDevice} kgCO2e per device`],
      ["Verified reduction", `${b.reductionKgPerDevice} kgCO2e per device`],
      ["Certified intensity", `${b.certifiedIntensityKgPerDevice} kgCO2e per device`],
      ["Vintage (refurbished)", `${b.vintageStart} … ${b.vintageEnd}`],
      ["Methodology", `${b.methodology} / ${b.parameters}`],
      ["Auditors", b.auditors.join(", ")],
      ["Report hash", el("code", {}, b.reportHash)],
      ["Calculation report", link(b.evidenceURI)],
      ["Device Merkle root", el("code", {}, b.deviceRoot)],
      ["Issuance transaction", b.issuance ? el("code", {}, b.issuance.txHash) : "—"],
      ["Status", b.suspended ? "SUSPENDED" : "in good standing"],
    ]),
  );
}

function retirementView(v) {
  const c = v.claim;
  const frag = document.createDocumentFragment();
  frag.append(
    el(
      "section",
      { class: `card verdict ${v.verified ? "ok" : "bad"}`, id: "verdict" },
      el(
        "h2",
        {},
        v.verified ? `Retirement #${v.retirementId} verified on-chain` : `Retirement #${v.retirementId}: checks failed`,
      ),
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
        ["Beneficiary", c.beneficiaryName],
        ["Beneficiary account", c.beneficiary],
        ["Retired by (holder)", c.account],
        ["Operator", c.operator],
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
