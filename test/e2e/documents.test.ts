/**
 * Both documents end to end from a real run on a chain: retirements made in the test (one by the holder, one by
 * an operator on behalf of a beneficiary), the certificate PDF's extracted text checked against the chain's
 * values, and a Scope 3 report whose chart PNG is saved and checked.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

import { expect } from "chai";
import { PDFParse } from "pdf-parse";

import { ApiClient, type UnsignedTx } from "../../scripts/lib/api-client.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { signView } from "../helpers/sign.ts";

const OUT = "test/output";

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
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
    const token = (cat: string) => h.api.oracle.oracle.store.batch(`${lot.id}-${cat}`)!.token_id!;
    server = token("server");
    desktop = token("desktop");

    const corporate = w("corporate").address;
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
        beneficiaryName: "Acme Corporation",
        beneficiary: corporate,
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 1,
        purpose: "FY2026 desktop procurement, retired by our broker",
      }),
    );
    await h.api.deps.reads.cache.refresh();
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
      "Verified on-chain",
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
    expect(html).to.include(`<th>Retired by (holder)</th><td>${trader}</td>`);
    expect(html).to.include(`<th>Beneficiary account</th><td>${corporate}</td>`);
    expect(html).to.include("<th>Retired on behalf of the beneficiary</th><td>yes</td>");
    expect(html).to.include("Category 1 — purchased goods and services");
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
    expect(json.yearOnYear.map((y: { year: number }) => y.year)).to.deep.equal([2025, 2026]);

    const csv = (await h.http.post("/reports/scope3?format=csv").send(body).expect(200)).text;
    expect(csv.split("\n")[0]).to.equal(
      "record_type,year,category,devices,inventory_emissions_kgco2e,inventory_intensity_kgco2e_per_device,certificates_applied,reduction_kgco2e,adjusted_emissions_kgco2e,adjusted_intensity_kgco2e_per_device,retirement_id,batch_id,reduction_kgco2e_per_certificate,reason",
    );
    expect(csv).to.include("certificate_applied,2026,server,,,,1,261.023,,,1,");

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
    expect(text).to.include("Scope 3 certificate-adjusted IT procurement intensity - 2026");
    expect(text).to.include("retirement #1");
    const svg = ((await binary(h.http.post("/reports/scope3?format=svg").send(body))).body as Buffer).toString("utf8");
    expect(svg).to.match(/^<svg/).and.include("certificate-adjusted");
  });

  it("refuses a bad inventory with a precise 422", async function () {
    const res = await h.http
      .post(`/reports/scope3?account=${h.deployed.wallet("corporate").address}&year=2026`)
      .set("Content-Type", "text/csv")
      .send("category,devices\nrobot,2\n")
      .expect(422);
    expect(res.body.code).to.equal("BAD_INVENTORY");
    expect(res.body.detail).to.match(/unknown category 'robot'/);
  });
});
