/**
 * `npm run bench:devices` — the bulk device check (`POST /devices/check`, 10,000 ids) on loopback against a registry
 * holding ≥ 10,000 certified devices, seeded through the real pipeline: a real chain (the test harness's), the API
 * with its oracle on a SQLite job-store file, ten lots of 1,000 servers each submitted by the refurbisher over HTTP,
 * each batch signed by an auditor and minted by the oracle worker (ten batches, 10,000 certificates). Then, after
 * one warm-up each, `--runs` timed checks (client wall clock: request, lookup, answer, JSON parse) of
 *  - `certified`: the 10,000 certified ids (every id a hit, all ten batches' status read from the chain), and
 *  - `mixed`: 5,000 certified and 5,000 never submitted, interleaved.
 * Writes bench/results/devices.json with the median and p95 of each (target: ≤ 1 s for 10,000 ids).
 * The runs stay within the bulk check's own limit (DEVICE_CHECKS_PER_MINUTE per client and minute).
 *
 * Options: `--runs 12`, `--lots 10`, `--devices 1000` (per lot).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";

import { DEVICE_CHECKS_PER_MINUTE, MAX_DEVICE_CHECK } from "../api/src/routes/devices.ts";
import { deviceId } from "../core/calc/index.ts";
import { ApiClient } from "../sdk/src/api-client.ts";
import { startApiHarness, untilConfirmed } from "../test/helpers/api.ts";
import { signView } from "../test/helpers/sign.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const RUNS = Number(arg("runs", "12"));
const LOTS = Number(arg("lots", "10"));
const DEVICES = Number(arg("devices", "1000"));
if (2 * (RUNS + 1) > DEVICE_CHECKS_PER_MINUTE) throw new Error(`--runs ${RUNS} would exceed the bulk check limit`);

const HEADER =
  "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg," +
  "transport,test_report_id,erasure_certificate_id";
const serial = (lot: number, i: number) => `BD${lot}-R740-${String(i).padStart(6, "0")}`;

/** A lot of `DEVICES` servers (one issuable batch, as the §9 server). */
function serverLot(lot: number): string {
  const rows = Array.from(
    { length: DEVICES },
    (_, i) =>
      `${serial(lot, i)},Dell,PowerEdge R740,server,2020-01-15,2025-03-20,36,hdd:2,35.0,hgv:900,TR-${lot}-${i},EC-${lot}-${i}`,
  );
  return [HEADER, ...rows].join("\n") + "\n";
}

const dir = mkdtempSync(join(tmpdir(), "itec-bench-devices-"));
const h = await startApiHarness({ env: { ITEC_DB_PATH: join(dir, "registry.db") } });
try {
  const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
  const client = new ApiClient(h.api.url);
  await client.signIn(w("refurbisher"));
  const seedStart = performance.now();
  const jobs: string[] = [];
  for (let lot = 0; lot < LOTS; lot++) {
    const submitted = await client.post<{ id: string }>("/lots", serverLot(lot), { "content-type": "text/csv" });
    const id = `${submitted.id}-server`;
    const view = await client.get<Parameters<typeof signView>[1]>(`/batches/${id}/attestation`);
    await client.post(`/batches/${id}/signatures`, {
      auditor: w("auditor1").address,
      signature: await signView(w("auditor1"), view),
    });
    jobs.push(id);
  }
  await untilConfirmed(h, jobs, 600_000);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const certifiedIds = Array.from({ length: LOTS * DEVICES }, (_, k) =>
    deviceId("Dell", serial(Math.floor(k / DEVICES), k % DEVICES)),
  ).slice(0, MAX_DEVICE_CHECK);
  const unknown = (i: number) => deviceId("Acme", `NEVER-${i}`);
  const mixedIds = certifiedIds.map((id, i) => (i % 2 === 0 ? id : unknown(i)));

  async function time(ids: string[], expectCertified: number): Promise<number> {
    const t0 = performance.now();
    const res = await fetch(`${h.api.url}/devices/check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ deviceIds: ids }),
    });
    const body = (await res.json()) as { certified: number; devices: unknown[] };
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`POST /devices/check answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.certified !== expectCertified || body.devices.length !== ids.length) {
      throw new Error(`expected ${expectCertified} of ${ids.length} certified, got ${body.certified}`);
    }
    return ms;
  }

  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
    return { median_ms: Math.round(at(0.5)), p95_ms: Math.round(at(0.95)), runs_ms: xs.map(Math.round) };
  };
  const measure = async (ids: string[], certified: number) => {
    await time(ids, certified); // warm-up: first statements prepared, batch status read from the chain
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await time(ids, certified));
    return { ids: ids.length, certified, ...stats(runs) };
  };
  const results = {
    date: new Date().toISOString().slice(0, 10),
    registry: {
      certifiedDevices: LOTS * DEVICES,
      batches: LOTS,
      jobStore: "SQLite file",
      seededThrough: "POST /lots, auditor signature, oracle worker mint (real chain)",
      seedSeconds: Math.round(seedSeconds),
      // The harness checks every answer against its declared schema before sending it (production does not).
      replyValidation: true,
      loadAverage: os.loadavg()[0]!.toFixed(1),
    },
    certified: await measure(certifiedIds, certifiedIds.length),
    mixed: await measure(mixedIds, Math.ceil(mixedIds.length / 2)),
    targetMs: 1000,
  };
  console.log(
    `registry: ${LOTS * DEVICES} certified devices in ${LOTS} batches (seeded in ${results.registry.seedSeconds} s)`,
  );
  for (const k of ["certified", "mixed"] as const) {
    console.log(`${k.padEnd(9)} ${results[k].ids} ids: median ${results[k].median_ms} ms, p95 ${results[k].p95_ms} ms`);
  }
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/devices.json", JSON.stringify(results, null, 2) + "\n");
} finally {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
}
