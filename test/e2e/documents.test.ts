/**
 * Both documents end to end from a real run on a chain: retirements made in the test (one by the holder, one by
 * an operator on behalf of a beneficiary whose name is not Latin-1), the certificate PDFs' extracted text checked
 * against the chain's values, and a Scope 3 report whose chart PNG is saved and checked — through the API (JSON and
 * CSV inventories, Scope 3 categories) and the `itec report scope3` CLI (JSON and quoted-CSV inventory files).
 * Organisations are named as the register names them; the report applies a retirement named for the corporate's
 * registered name and one naming its account (ADR 0051) and says where it read them; once a batch is reversed, its
 * retirement's certificate says REVERSED and the Scope 3 report does not apply it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { runItec } from "../helpers/itec.ts";
import { PDFParse } from "pdf-parse";

import { pino } from "pino";

import { readApiEnv } from "../../core/config.ts";
import { startApi } from "../../api/src/server.ts";
import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { freePort, PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";

const OUT = "test/output";
/**
 * The corporate's organisation name on the register (renamed from the fixture's): retirement #1 names it without a
 * beneficiary account, so it is the corporate's claim by its registered name (ADR 0051).
 */
const ACME = "Acme Corporation";
/** Not Latin-1: Polish, Japanese and an emoticon — the PDF must print it exactly as the chain holds it. */
const UNICODE_BENEFICIARY = "Łódź Sp. z o.o. — 東京支社 😀";

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
}

/** Runs the `itec` CLI with this process's environment; `env` entries set to undefined are removed. */
function itec(args: string[], env: Record<string, string | undefined> = {}) {
  return runItec(args, { ...process.env, ...env });
}

describe("Retirement certificates and Scope 3 reports (end to end)", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let server: string;
  let desktop: string;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    h = await startApiHarness();
    const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
    const as = async (role: Parameters<typeof h.deployed.wallet>[0]) => {
      const c = new ApiClient(h.api.url);
      await c.signIn(w(role));
      return c;
    };
    const refurbisher = await as("refurbisher");
    const lot = await refurbisher.post<{ id: string; batches: { id: string; state: string }[] }>(
      "/lots?defaultTransport=hgv:600;van:250",
      readFileSync("test/vectors/section9-lot.csv", "utf8"),
      { "content-type": "text/csv" },
    );
    for (const b of lot.batches.filter((x) => x.state === "awaiting_signatures")) {
      const view = await refurbisher.get<Parameters<typeof signView>[1]>(`/batches/${b.id}/attestation`);
      await refurbisher.post(`/batches/${b.id}/signatures`, {
        auditor: w("auditor1").address,
        signature: await signView(w("auditor1"), view),
      });
    }
    await untilConfirmed(h, [`${lot.id}-server`, `${lot.id}-desktop`]);
    const token = async (cat: string) => (await h.api.oracle.oracle.store.batch(`${lot.id}-${cat}`))!.token_id!;
    server = await token("server");
    desktop = await token("desktop");

    const corporate = w("corporate").address;
    await (await h.deployed.adminRegistry.renameParticipant(corporate, ACME)).wait();
    await refurbisher.signAndRelay(
      w("refurbisher"),
      await refurbisher.post<UnsignedTx>("/tx/transfer", { to: corporate, items: [{ batchId: server, amount: "1" }] }),
    );
    await refurbisher.signAndRelay(
      w("refurbisher"),
      await refurbisher.post<UnsignedTx>("/tx/transfer", {
        to: w("trader").address,
        items: [{ batchId: desktop, amount: "1" }],
      }),
    );
    const corp = await as("corporate");
    await corp.signAndRelay(
      w("corporate"),
      await corp.post<UnsignedTx>("/tx/retire", {
        batchId: server,
        amount: "1",
        beneficiaryName: "Acme Corporation",
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 2,
        purpose: "FY2026 server procurement",
      }),
    );
    // A trader retires on behalf of the corporate, naming its account as beneficiary.
    const trader = await as("trader");
    await trader.signAndRelay(
      w("trader"),
      await trader.post<UnsignedTx>("/tx/retire", {
        batchId: desktop,
        amount: "1",
        beneficiaryName: UNICODE_BENEFICIARY,
        beneficiary: corporate,
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 1,
        purpose: "FY2026 desktop procurement, retired by our broker",
      }),
    );
    await h.api.deps.reads.cache.refresh();
    // The report finds retirements through the event index: let it read the last one.
    const head = await h.chain.provider.getBlockNumber();
    while (((await h.api.deps.index!.status()).lastBlock ?? -1) < head) await new Promise((r) => setTimeout(r, 50));
  });
  after(async () => h?.close());

  it("renders the certificate PDF whose text matches the chain's values", async function () {
    const res = await h.http
      .get("/retirements/1/certificate.pdf")
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).to.equal(200);
    expect(res.headers["content-type"]).to.equal("application/pdf");
    const pdf = res.body as Buffer;
    writeFileSync(`${OUT}/certificate-1.pdf`, pdf);
    const text = await pdfText(pdf);
    const claim = await h.deployed.registry.retirement(1n);
    const batch = await h.deployed.registry.batch(claim.batchId);
    const [event] = await h.deployed.registry.queryFilter(h.deployed.registry.filters.CertificatesRetired(1n));
    const kg = (g: bigint) => `${g / 1000n}.${String(g % 1000n).padStart(3, "0")}`;
    for (const expected of [
      "I-TEC Retirement Certificate #1",
      "Acme Corporation",
      `${claim.amount} I-TEC`,
      `${kg(batch.reductionGrams)} kgCO2e per device`,
      `${kg(batch.baselineGrams)} kgCO2e per device`,
      `${kg(batch.reductionGrams * BigInt(claim.amount))} kgCO2e`,
      "ITEC-CALC 1.0 / ITEC-PARAMS-1",
      "Category 2",
      "2026-01-01 to 2026-12-31",
      event!.transactionHash,
      String(event!.blockNumber),
      `1337 / ${h.deployed.address}`,
      claim.claimHash,
      "Retirement #1 is verified: 1 I-TEC (server) retired for Acme Corporation",
      `${ACME} (${h.deployed.wallet("corporate").address})`,
      `Refurb Co (${h.deployed.wallet("refurbisher").address})`,
      `Audit Body A (auditor ${h.deployed.wallet("auditor1").address})`,
      `${h.api.url}/verify/retirements/1`,
      "cast call",
    ]) {
      expect(text, expected).to.include(expected);
    }
    expect(text).to.match(/Calculation report .*\(verified/);
  });

  it("shows both the retiring account and the beneficiary on a retire-on-behalf certificate (HTML)", async function () {
    const html = (await h.http.get("/retirements/2/certificate.html").expect(200)).text;
    const trader = h.deployed.wallet("trader").address;
    const corporate = h.deployed.wallet("corporate").address;
    expect(html).to.include(`<th>Retired by (holder)</th><td>${PARTICIPANT_NAMES.trader} (${trader})</td>`);
    expect(html).to.include(`<th>Beneficiary account</th><td>${ACME} (${corporate})</td>`);
    expect(html).to.include("<th>Retired on behalf</th><td>yes</td>");
    expect(html).to.include("Category 1 — purchased goods and services");
    expect(html).to.include(`<th>Beneficiary</th><td>${UNICODE_BENEFICIARY}</td>`);
  });

  it("prints a non-Latin-1 beneficiary name and the B̄/V̄ labels exactly in the certificate PDF", async function () {
    const res = await h.http
      .get("/retirements/2/certificate.pdf")
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).to.equal(200);
    const pdf = res.body as Buffer;
    writeFileSync(`${OUT}/certificate-2.pdf`, pdf);
    const [event] = await h.deployed.registry.queryFilter(h.deployed.registry.filters.CertificatesRetired(2n));
    const onChain = event!.args.beneficiaryName;
    expect(onChain).to.equal(UNICODE_BENEFICIARY);
    const text = await pdfText(pdf);
    expect(text).to.include(`1 I-TEC retired for ${onChain}:`);
    expect(text).to.include(`Beneficiary ${onChain} `);
    for (const label of [
      "Baseline, new equivalent (B̄)",
      "Verified reduction (V̄)",
      "Certified intensity (B̄ − V̄)",
      "(1 × V̄)",
    ]) {
      expect(text, label).to.include(label);
    }
    expect(text).to.include("✓ ");
    expect(text).not.to.include("?");
    expect(text).not.to.include("[U+"); // every character of this name has a glyph in the shipped fonts
    // Drawn with the fonts shipped in data/fonts, embedded; never PDF's WinAnsi-only standard fonts.
    const raw = pdf.toString("latin1");
    expect(raw).to.match(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
    expect(raw).to.match(/\/BaseFont \/[A-Z]{6}\+DroidSansFallback\b/);
    expect(raw).not.to.match(/\/BaseFont \/(Helvetica|Courier|Times)/);
  });

  it("builds the Scope 3 report from the chain's retirements, as JSON, CSV, PDF and a PNG chart", async function () {
    const corporate = h.deployed.wallet("corporate").address;
    const body = {
      account: corporate,
      year: 2026,
      inventory: [
        { year: 2025, category: "server", devices: 2, pcfKgPerDevice: "1350.000" },
        { year: 2026, category: "server", devices: 3, pcfKgPerDevice: "1300.000" },
        { year: 2026, category: "desktop", devices: 5, manufacturer: "HP", model: "Elite Tower 880 G9 Desktop PC" },
        { year: 2026, category: "laptop", devices: 40, pcfKgPerDevice: "250.000" },
      ],
    };
    const json = (await h.http.post("/reports/scope3").send(body).expect(200)).body;
    const cats = Object.fromEntries((json.current.categories as { category: string }[]).map((c) => [c.category, c]));
    // server: 3 × 1300 − 1 × 261.023; desktop: 5 × 625.800 (registry reference T1) − 1 × 71.325
    expect(cats.server).to.include({
      certificatesApplied: 1,
      inventoryEmissionsKg: "3900.000",
      reductionKg: "261.023",
      adjustedEmissionsKg: "3638.977",
    });
    expect(cats.desktop).to.include({
      certificatesApplied: 1,
      inventoryEmissionsKg: "3129.000",
      reductionKg: "71.325",
      adjustedEmissionsKg: "3057.675",
    });
    expect(cats.laptop).to.include({ certificatesApplied: 0, adjustedEmissionsKg: "10000.000" });
    expect(json.current.applied.map((a: { retirementId: string }) => a.retirementId).sort()).to.deep.equal(["1", "2"]);
    expect(
      json.current.inventory.map((i: { row: string; footprintSource: string; referenceTier: string | null }) => [
        i.row,
        i.footprintSource,
        i.referenceTier,
      ]),
    ).to.deep.equal([
      ["row 2", "supplier_pcf", null],
      ["row 3", "registry_reference", "T1"],
      ["row 4", "supplier_pcf", null],
    ]);
    expect(json.notes).to.deep.equal([]);
    expect(json.readAt).to.include({ chainId: 1337, registry: h.deployed.address });
    expect(json.readAt.indexedToBlock).to.be.a("number").and.at.most(json.readAt.block);
    expect(json.yearOnYear.map((y: { year: number }) => y.year)).to.deep.equal([2025, 2026]);

    const csv = (await h.http.post("/reports/scope3?format=csv").send(body).expect(200)).text;
    // One tidy table per section, each with its own header (docs/documents.md, "Scope 3 report as CSV").
    expect(csv.split("\n")[0]).to.equal("section,field,value");
    expect(csv).to.include(`\napplied_retirements,2026,1,${server},server,2,1,261.023,0.261023,`);
    expect(csv).to.include(
      "\ninventory_rows,2026,row 3,,desktop,5,HP,Elite Tower 880 G9 Desktop PC,625.800,3.129000,registry_reference,T1,",
    );

    const binary = (req: ReturnType<typeof h.http.post>) =>
      req.buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    const png = (await binary(h.http.post("/reports/scope3?format=png").send(body))).body as Buffer;
    writeFileSync(`${OUT}/scope3-chart.png`, png);
    expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
    expect(png.readUInt32BE(16)).to.equal(720); // IHDR width
    expect(png.readUInt32BE(20)).to.equal(380); // IHDR height
    expect(png.length).to.be.greaterThan(5_000);
    const pdf = (await binary(h.http.post("/reports/scope3?format=pdf").send(body))).body as Buffer;
    writeFileSync(`${OUT}/scope3-2026.pdf`, pdf);
    const text = await pdfText(pdf);
    expect(text).to.include("Scope 3 certificate-adjusted IT procurement intensity — 2026");
    expect(text).to.include("retirement #1");
    const svg = ((await binary(h.http.post("/reports/scope3?format=svg").send(body))).body as Buffer).toString("utf8");
    expect(svg).to.match(/^<svg/).and.include("certificate-adjusted");
  });

  it("links certificates from the API to its configured public URL (ITEC_PUBLIC_URL)", async function () {
    // A second API over the same chain and oracle, configured with a public URL other than where it listens.
    const port = await freePort();
    const listening = `http://127.0.0.1:${port}`;
    const api = await startApi(
      readApiEnv({
        ITEC_RPC_URL: h.chain.url,
        ITEC_REGISTRY_ADDRESS: h.deployed.address,
        ITEC_CHAIN_ID: "1337",
        ITEC_DB_PATH: ":memory:",
        ITEC_API_PORT: String(port),
        ITEC_PUBLIC_URL: "https://registry.example/itec/",
        ITEC_LOG_LEVEL: "silent",
      }),
      { oracle: h.api.oracle, logger: pino({ level: "silent" }) },
    );
    try {
      expect(api.url).to.equal("https://registry.example/itec");
      const res = await fetch(`${listening}/retirements/1/certificate.pdf`);
      expect(res.status).to.equal(200);
      const text = await pdfText(Buffer.from(await res.arrayBuffer()));
      expect(text).to.include("Open https://registry.example/itec/verify/retirements/1 (the QR code)");
      const html = await (await fetch(`${listening}/retirements/1/certificate.html`)).text();
      expect(html).to.include('<a href="https://registry.example/itec/verify/retirements/1">');
    } finally {
      await api.close();
    }
  });

  it("itec retirement certificate links the registry that holds the data, never a default port", async function () {
    const dir = mkdtempSync(join(tmpdir(), "itec-certificate-"));
    const admin = h.deployed.adminRegistry;
    // The base URI the registry was deployed with (restored at the end): batch #1's external_url without the id.
    const meta = await (await fetch(`${h.api.url}/certificates/1/metadata`)).json();
    const base = (meta as { external_url: string }).external_url.replace(/1$/, "");
    const certificate = (extra: string[] = []) =>
      itec(
        [
          "retirement",
          "certificate",
          "1",
          "--rpc",
          h.chain.url,
          "--registry",
          h.deployed.address,
          "--data-dir",
          dir,
          "--pdf",
          join(dir, "c.pdf"),
          "--html",
          join(dir, "c.html"),
          ...extra,
        ],
        { ITEC_PUBLIC_URL: undefined },
      );
    try {
      // As npm start deploys it: the registry declares its verify page on-chain, on a port that is not 8080.
      await (await admin.setExternalBaseURI(`${h.api.url}/verify/batches/`)).wait();
      expect(new URL(h.api.url).port).not.to.equal("8080");
      const run = await certificate();
      expect(run.code, run.stderr).to.equal(0);
      const expected = `${h.api.url}/verify/retirements/1`;
      expect(run.stdout).to.include(`verify: ${expected} (the registry's base URL declared on-chain)\n`);
      const text = await pdfText(readFileSync(join(dir, "c.pdf")));
      const link = /Open (\S+) \(the QR code\)/.exec(text)?.[1];
      expect(link).to.equal(expected);
      expect(new URL(link!).port).to.equal(new URL(h.api.url).port);
      expect(readFileSync(join(dir, "c.html"), "utf8")).to.include(`<a href="${expected}">`);
      // The link answers with this registry's retirement #1.
      const answer = await fetch(link!, { headers: { accept: "application/json" } });
      expect(answer.status).to.equal(200);
      expect(((await answer.json()) as { chain: { registry: string } }).chain.registry).to.equal(h.deployed.address);

      // A URL given explicitly wins.
      const given = await certificate(["--public-url", "https://registry.example/"]);
      expect(given.code, given.stderr).to.equal(0);
      expect(given.stdout).to.include("verify: https://registry.example/verify/retirements/1\n");
      expect(await pdfText(readFileSync(join(dir, "c.pdf")))).to.include(
        "Open https://registry.example/verify/retirements/1 (the QR code)",
      );

      // Nothing known (an on-chain base URI that names no registry page): no link rather than a wrong one.
      await (
        await admin.setExternalBaseURI("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/")
      ).wait();
      const none = await certificate();
      expect(none.code, none.stderr).to.equal(0);
      expect(none.stdout).to.include(
        "no verify link: the registry's public URL is unknown (pass --public-url or set ITEC_PUBLIC_URL); " +
          "from the chain alone: itec verify retirement 1",
      );
      expect(none.stdout).not.to.match(/^verify: /m);
      const unlinked = await pdfText(readFileSync(join(dir, "c.pdf")));
      expect(unlinked).not.to.include("/verify/retirements/");
      expect(unlinked).to.include("Ask any node of the chain (no public URL of the registry is known): cast call");
      expect(readFileSync(join(dir, "c.html"), "utf8")).not.to.include("/verify/retirements/");

      const bad = await certificate(["--public-url", "registry.example"]);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.include("--public-url must be an http(s) base URL");
    } finally {
      await (await admin.setExternalBaseURI(base)).wait();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad inventory with a precise 422", async function () {
    const res = await h.http
      .post(`/reports/scope3?account=${h.deployed.wallet("corporate").address}&year=2026`)
      .set("Content-Type", "text/csv")
      .send("category,devices\nrobot,2\n")
      .expect(422);
    expect(res.body.code).to.equal("BAD_INVENTORY");
    expect(res.body.detail).to.match(/unknown category 'robot'/);
    // A comma in an unquoted manufacturer would shift the row: refused, not read as manufacturer '"Dell'.
    const shifted = await h.http
      .post(`/reports/scope3?account=${h.deployed.wallet("corporate").address}&year=2026`)
      .set("Content-Type", "text/csv")
      .send("category,devices,manufacturer,model\nmonitor,2,Dell, Inc.,P2720D\n")
      .expect(422);
    expect(shifted.body.detail).to.match(/line 2: 5 fields where the header has 4/);
  });

  it("matches certificates by Scope 3 category when the inventory CSV gives scope3_category", async function () {
    const corporate = h.deployed.wallet("corporate").address;
    const csv =
      "year,category,devices,pcf_kg_per_device,manufacturer,model,scope3_category\n" +
      "2026,server,3,1300.000,,,1\n" +
      '2026,desktop,5,,"HP","Elite Tower 880 G9 Desktop PC",1\n' +
      '2026,laptop,40,,"Dell, Inc.",Latitude 9999,2\n';
    const res = await h.http
      .post(`/reports/scope3?account=${corporate}&year=2026`)
      .set("Content-Type", "text/csv")
      .send(csv)
      .expect(200);
    const r = res.body;
    // #1 was retired for Category 2 (capital goods) but servers are procured under Category 1 here; #2 (desktop,
    // Category 1) applies.
    expect(r.current.applied.map((a: { retirementId: string }) => a.retirementId)).to.deep.equal(["2"]);
    expect(r.current.unapplied).to.have.length(1);
    expect(r.current.unapplied[0]).to.deep.include({
      retirementId: "1",
      batchId: server,
      category: "server",
      scope3Category: 2,
      certificates: 1,
      reason: "NO_MATCHING_SCOPE3_CATEGORY",
      detail: "retired for Scope 3 Category 2; the 2026 inventory has server only under Category 1",
      failedCriterion: "LIKE_FOR_LIKE_SCOPE3",
    });
    expect(
      r.current.scope3Subtotals.map((x: { scope3Category: number; devices: number; certificatesApplied: number }) => [
        x.scope3Category,
        x.devices,
        x.certificatesApplied,
      ]),
    ).to.deep.equal([
      [1, 8, 1],
      [2, 40, 0],
    ]);
    // The quoted manufacturer is read whole; the unknown model falls back to the category default, with a note.
    const laptop = r.current.inventory.find((i: { category: string }) => i.category === "laptop");
    expect(laptop).to.include({
      row: "line 4",
      manufacturer: "Dell, Inc.",
      footprintSource: "category_default",
      referenceTier: "T3",
    });
    expect(r.notes).to.have.length(1);
    expect(r.notes[0]).to.match(
      /^2026 line 4: Dell, Inc\. 'Latitude 9999' \(laptop\) is not in the registry reference — the laptop category default/,
    );
  });

  it("itec report scope3 reads a JSON or a quoted-CSV inventory and warns when a default footprint was used", async function () {
    const dir = mkdtempSync(join(tmpdir(), "itec-scope3-"));
    const common = [
      "report",
      "scope3",
      "--rpc",
      h.chain.url,
      "--registry",
      h.deployed.address,
      "--data-dir",
      dir,
      "--account",
      h.deployed.wallet("corporate").address,
      "--year",
      "2026",
    ];
    try {
      writeFileSync(
        join(dir, "inv.json"),
        JSON.stringify({
          inventory: [
            { category: "server", devices: 3, pcfKgPerDevice: "1300.000", scope3Category: 2 },
            { category: "desktop", devices: 5, manufacturer: "Nobody", model: "Tower 1", scope3Category: 1 },
          ],
        }),
      );
      const json = await itec([...common, "--inventory", join(dir, "inv.json"), "--json"]);
      expect(json.code, json.stderr).to.equal(0);
      const r = JSON.parse(json.stdout);
      expect(r.current.applied.map((a: { retirementId: string }) => a.retirementId)).to.deep.equal(["1", "2"]);
      expect(
        r.current.inventory.map((i: { row: string; footprintSource: string }) => [i.row, i.footprintSource]),
      ).to.deep.equal([
        ["row 1", "supplier_pcf"],
        ["row 2", "category_default"],
      ]);
      expect(json.stderr).to.match(
        /^warning: 2026 row 2: Nobody 'Tower 1' \(desktop\) is not in the registry reference/m,
      );

      writeFileSync(
        join(dir, "inv.csv"),
        'category,devices,manufacturer,model\nserver,3,"Dell, Inc.",PowerEdge R640\ndesktop,5,HP,Elite Tower 880 G9 Desktop PC\n',
      );
      const table = await itec([...common, "--inventory", join(dir, "inv.csv"), "--out", join(dir, "acme")]);
      expect(table.code, table.stderr).to.equal(0);
      expect(table.stdout)
        .to.match(/^total\s+8\s/m)
        .and.include("1 warning(s) on stderr");
      expect(table.stderr).to.include(
        "warning: 2026 line 2: Dell, Inc. 'PowerEdge R640' (server) is not in the registry reference",
      );
      const csv = readFileSync(join(dir, "acme.csv"), "utf8");
      expect(csv).to.include('\ninventory_rows,2026,line 2,,server,3,"Dell, Inc.",PowerEdge R640,');
      expect(csv).to.match(/^notes,2026,.*'PowerEdge R640' \(server\) is not in the registry reference/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("once the batch is reversed: the certificate says REVERSED and who owes the replacement, Scope 3 does not apply it", async function () {
    const admin = h.deployed.adminRegistry;
    await (
      await admin.reverseBatch(BigInt(server), "devices counted twice", "https://registry.example/findings/7")
    ).wait();
    await h.api.deps.reads.cache.refresh();
    const refurbisher = `${PARTICIPANT_NAMES.refurbisher} (${h.deployed.wallet("refurbisher").address})`;

    const v = (await h.http.get("/verify/retirements/1").set("accept", "application/json").expect(200)).body;
    expect(v).to.deep.include({ verified: false, verdict: "reversed" });
    expect(v.claimStatus).to.deep.include({ status: "reversed", batchId: server });

    const html = (await h.http.get("/retirements/1/certificate.html").expect(200)).text;
    expect(html).to.include(
      `<th>Claim status</th><td>REVERSED — batch #${server} was found wrong and reversed; the claim is not valid ` +
        `until replaced (replacement owed by ${refurbisher})</td>`,
    );
    expect(html).to.include("reason: “devices counted twice”; evidence: https://registry.example/findings/7");
    expect(html).not.to.include("is verified");
    const res = await h.http
      .get("/retirements/1/certificate.pdf")
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    const pdf = res.body as Buffer;
    writeFileSync(`${OUT}/certificate-1-reversed.pdf`, pdf);
    const text = await pdfText(pdf);
    expect(text).to.include("Retirement #1 is REVERSED:");
    expect(text).to.include(`replacement owed by ${refurbisher}`);
    expect(text).not.to.match(/is verified|Verified —/);

    const corporate = h.deployed.wallet("corporate").address;
    const report = (
      await h.http
        .post("/reports/scope3")
        .send({
          account: corporate,
          year: 2026,
          inventory: [
            { year: 2026, category: "server", devices: 3, pcfKgPerDevice: "1300.000" },
            { year: 2026, category: "desktop", devices: 5, pcfKgPerDevice: "600.000" },
          ],
        })
        .expect(200)
    ).body;
    expect(report.accountName).to.equal(ACME);
    expect(report.current.applied.map((a: { retirementId: string }) => a.retirementId)).to.deep.equal(["2"]);
    expect(report.current.unapplied).to.have.length(1);
    expect(report.current.unapplied[0]).to.include({ retirementId: "1", reason: "CLAIM_REVERSED" });
    expect(report.current.unapplied[0].detail).to.match(
      new RegExp(`^claim reversed: batch #${server} was found wrong and reversed, .*replacement owed by Refurb Co\\)$`),
    );
    const reportHtml = (
      await h.http
        .post("/reports/scope3?format=html")
        .send({
          account: corporate,
          year: 2026,
          inventory: [{ year: 2026, category: "server", devices: 3, pcfKgPerDevice: "1300.000" }],
        })
        .expect(200)
    ).text;
    expect(reportHtml).to.include(`<dt>Organisation</dt><dd>${ACME} (${corporate})</dd>`);
  });
});
