/**
 * The attestation carries the audit sample record's hash (ADR 0055), end to end over the API and a real chain:
 * auditors cannot sign before the record is complete (ITEC_REQUIRE_AUDIT_SAMPLE), a changed record rebuilds the
 * digest and drops the signatures over the old one, and after issuance the draw replays from public data only — the
 * chain node, the public sample record and the published report — while a tampered record is caught.
 */
import { expect } from "chai";
import { JsonRpcProvider, keccak256, toUtf8Bytes, ZeroHash } from "ethers";

import { ApiClient } from "../../sdk/src/api-client.ts";
import type { AuditSampleRecordJson, PublicAuditSample } from "../../sdk/src/api-operations.ts";
import { canonicalJson } from "../../sdk/src/canonical-json.ts";
import { reportDeviceIds, type ReportDevices } from "../../sdk/src/device-proof.ts";
import { RegistryReader } from "../../sdk/src/reader.ts";
import { verifySample } from "../../sdk/src/sample.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { runItec } from "../helpers/itec.ts";
import { signView } from "../helpers/sign.ts";

const CSV_HEADER =
  "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg," +
  "transport,test_report_id,erasure_certificate_id";

interface SampleView {
  state: string;
  size: number;
  devices: { deviceId: string; outcome: string | null }[];
  sampleHash: string | null;
}

describe("audit sample record in the attestation", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  const w = (role: "refurbisher" | "auditor1" | "auditor2") => h.deployed.wallet(role).connect(h.chain.provider);

  before(async () => {
    h = await startApiHarness({ env: { ITEC_REQUIRE_AUDIT_SAMPLE: "true" } });
    for (const role of ["auditor1", "auditor2"] as const) tokens[role] = await h.signIn(w(role));
  });
  after(async () => h?.close());

  const auth = (role: "auditor1" | "auditor2") => ({ authorization: `Bearer ${tokens[role]}` });
  const attestation = async (id: string) =>
    (await h.http.get(`/batches/${id}/attestation`).expect(200)).body as {
      digest: string;
      typedData: { message: { sampleHash: string } };
    };
  const sign = async (id: string, role: "auditor1" | "auditor2") =>
    h.http.post(`/batches/${id}/signatures`).send({
      auditor: w(role).address,
      signature: await signView(w(role), (await h.http.get(`/batches/${id}/attestation`).expect(200)).body),
    });
  const record = (id: string, role: "auditor1" | "auditor2", outcomes: { deviceId: string; outcome: string }[]) =>
    h.http.post(`/reviews/${id}/sample`).set(auth(role)).send({ outcomes }).expect(200);

  it("takes signatures only over a complete record, rebinds on change, and replays from public data", async () => {
    const refurbisher = new ApiClient(h.api.url);
    await refurbisher.signIn(w("refurbisher"));
    // 80 laptops: n (36 for 80 under the 95 % / 5 % plan) is a true subset of the batch.
    const rows = Array.from(
      { length: 80 },
      (_, i) => `SA-T490-${i},Lenovo,ThinkPad T490,laptop,2020-05,2025-05-31,36,,2.2,,TR-SA-${i},EC-SA-${i}`,
    );
    const lot = await refurbisher.post<{ id: string }>(
      `/lots?defaultTransport=${encodeURIComponent("hgv:600;van:250")}`,
      [CSV_HEADER, ...rows].join("\n"),
      { "content-type": "text/csv" },
    );
    const id = `${lot.id}-laptop`;
    expect((await attestation(id)).typedData.message.sampleHash).to.equal(ZeroHash);

    // Before the draw: no signature.
    const early = await sign(id, "auditor1");
    expect([early.status, early.body.code]).to.deep.equal([409, "SAMPLE_INCOMPLETE"]);

    await h.chain.provider.send("evm_mine", []);
    await h.api.oracle.oracle.tick();
    const drawn = (await h.http.get(`/reviews/${id}/sample`).set(auth("auditor1")).expect(200)).body as SampleView;
    expect(drawn.state).to.equal("drawn");
    expect(drawn.size).to.be.above(1);
    const [first, ...rest] = drawn.devices;

    // All but one outcome: still unbound (sampleHash 0) and still no signature.
    const partial = (await record(
      id,
      "auditor1",
      rest.map((d) => ({ deviceId: d.deviceId, outcome: "seen" })),
    )) as { body: SampleView };
    expect(partial.body.sampleHash).to.equal(null);
    expect((await attestation(id)).typedData.message.sampleHash).to.equal(ZeroHash);
    const incomplete = await sign(id, "auditor1");
    expect([incomplete.status, incomplete.body.code]).to.deep.equal([409, "SAMPLE_INCOMPLETE"]);
    expect(incomplete.body.detail).to.match(/1 of \d+ sampled devices have no evidence outcome/);

    // Another auditor completes the record (one record per batch): its hash goes into the attestation.
    const flipped = (await record(id, "auditor2", [{ deviceId: first!.deviceId, outcome: "missing" }])).body;
    expect(flipped.sampleHash).to.match(/^0x[0-9a-f]{64}$/);
    const v1 = await attestation(id);
    expect(v1.typedData.message.sampleHash).to.equal(flipped.sampleHash);
    expect((await sign(id, "auditor1")).status).to.equal(200);
    expect((await h.http.get(`/batches/${id}`).expect(200)).body.state).to.equal("ready");

    // A later outcome replaces the earlier one: new record hash, new digest, the signature over the old one dropped.
    const seen = (await record(id, "auditor1", [{ deviceId: first!.deviceId, outcome: "seen" }])).body;
    expect(seen.sampleHash).to.not.equal(flipped.sampleHash);
    const v2 = await attestation(id);
    expect(v2.digest).to.not.equal(v1.digest);
    expect(v2.typedData.message.sampleHash).to.equal(seen.sampleHash);
    const batch = (await h.http.get(`/batches/${id}`).expect(200)).body;
    expect(batch.state).to.equal("awaiting_signatures");
    expect((await sign(id, "auditor1")).status).to.equal(200);
    await untilConfirmed(h, [id]);
    const tokenId = String((await h.http.get(`/batches/${id}`).expect(200)).body.tokenId);

    // Issued: the record can no longer change.
    const late = await h.http
      .post(`/reviews/${id}/sample`)
      .set(auth("auditor2"))
      .send({ outcomes: [{ deviceId: first!.deviceId, outcome: "missing" }] });
    expect([late.status, late.body.code]).to.deep.equal([409, "BATCH_STATE"]);

    // --- Public data only: a chain node, the public sample record, the published report -------------------------
    const node = new JsonRpcProvider(h.chain.url, undefined, { staticNetwork: true });
    try {
      const chainBatch = await new RegistryReader(node, h.deployed.address).batch(BigInt(tokenId));
      expect(chainBatch.sampleHash).to.equal(seen.sampleHash);
      const published = await new ApiClient(h.api.url).batchSample(tokenId);
      expect(keccak256(toUtf8Bytes(canonicalJson(published.record)))).to.equal(chainBatch.sampleHash);
      const report = await (await fetch(chainBatch.evidenceURI!)).text();
      expect(keccak256(toUtf8Bytes(report))).to.equal(chainBatch.reportHash);
      const ids = reportDeviceIds(JSON.parse(report) as ReportDevices, chainBatch.category);
      const facts = {
        ...chainBatch,
        blockHash: async (n: number) => (await node.getBlock(n))?.hash ?? null,
      };
      const verified = await verifySample(facts, published.record, ids);
      expect(verified.checks.filter((c) => !c.passed)).to.deep.equal([]);
      expect(verified.verified).to.equal(true);
      expect(verified.summary).to.equal(
        `sample of ${published.record.size} devices, seed ${published.record.seed}, all evidence seen`,
      );

      // Tampered: one device swapped for another of the batch, one outcome flipped — each caught.
      const other = ids.find((d) => !published.record.devices.some((s) => s.deviceId === d))!;
      const swapped = tamper(published, (r) => (r.devices[0]!.deviceId = other));
      const swap = await verifySample(facts, swapped, ids);
      expect(swap.verified).to.equal(false);
      expect(failed(swap)).to.include.members([
        "audit sample record matches the chain's sampleHash",
        "devices redrawn, in draw order",
      ]);
      const flippedRecord = tamper(published, (r) => (r.devices[1]!.outcome = "missing"));
      const flip = await verifySample(facts, flippedRecord, ids);
      expect(flip.verified).to.equal(false);
      expect(failed(flip)).to.deep.equal(["audit sample record matches the chain's sampleHash"]);
      expect(flip.summary).to.match(/, 1 missing$/);
      // A forged seed block (another block's hash) is caught against the chain, not the record.
      const forged = tamper(published, (r) => (r.seedBlock.hash = chainBatch.reportHash!));
      expect(failed(await verifySample(facts, forged, ids))).to.include("seed block hash read from the chain");
      // The CLI replays it against its own node: `itec verify batch` prints the line and exits 0.
      const run = await runItec(
        ["verify", "batch", tokenId, "--rpc", h.chain.url, "--registry", h.deployed.address, "--api", h.api.url],
        { PATH: process.env.PATH, HOME: process.env.HOME },
      );
      expect([run.code, run.stderr]).to.deep.equal([0, ""]);
      const line = run.stdout.split("\n").find((l) => l.trimStart().startsWith("audit sample"));
      expect(line).to.match(/^\s*audit sample\s+/);
      expect(line!.replace(/^\s*audit sample\s+/, "")).to.equal(`${verified.summary} (replayed: identical)`);
      // A batch issued without a record (sampleHash 0) says so.
      const none = await verifySample({ ...facts, sampleHash: ZeroHash }, null, ids);
      expect([none.attested, none.summary]).to.deep.equal([false, "no audit sample recorded"]);
    } finally {
      node.destroy();
    }
  });
});

function tamper(s: PublicAuditSample, change: (r: AuditSampleRecordJson) => void): AuditSampleRecordJson {
  const copy = structuredClone(s.record);
  change(copy);
  return copy;
}

function failed(v: { checks: { check: string; passed: boolean }[] }): string[] {
  return v.checks.filter((c) => !c.passed).map((c) => c.check);
}
