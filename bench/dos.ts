/**
 * `npm run bench:dos` — requests that cannot starve the rest (issue 18, item 2): `GET /verify/retirements/{id}` probes
 * on loopback, first on an idle API, then — in the same run, on the same server — while the largest accepted lot
 * (50,000 devices, bench/generate-lot.ts, `POST /lots` as the refurbisher) is calculated and four maximum-size Scope 3
 * requests (10,000 inventory rows as CSV, rendered as PDF) run. The registry is the test harness's (a real chain, the
 * API with its oracle on a SQLite job-store file); one retirement is seeded through the real pipeline (lot, auditor
 * signature, oracle mint, relayed retirement), and the probes verify it from the chain.
 *
 * Probes are sent on a fixed schedule (one every `--gap` ms, open loop: a stall is charged to every probe it delays)
 * from a worker thread of their own, off the API's event loop. Writes
 * bench/results/dos.json with p50/p99/max of both phases and the heavy requests' status and duration.
 * Target: p99 ≤ 50 ms under load. Options: `--devices 50000`, `--reports 4`, `--idle 300` (probes), `--gap 10`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

import { REQUEST_LIMITS } from "../core/config.ts";
import { ApiClient } from "../sdk/src/api-client.ts";
import { startApiHarness, untilConfirmed } from "../test/helpers/api.ts";
import { signView } from "../test/helpers/sign.ts";
import { generateLot } from "./generate-lot.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const DEVICES = Number(arg("devices", String(REQUEST_LIMITS.lotDevices)));
const REPORTS = Number(arg("reports", "4"));
const IDLE_PROBES = Number(arg("idle", "300"));
const GAP_MS = Number(arg("gap", "10"));
const TARGET_P99_MS = 50;

const HEADER =
  "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg," +
  "transport,test_report_id,erasure_certificate_id";
const seedLot = [
  HEADER,
  ...Array.from(
    { length: 10 },
    (_, i) =>
      `DOS-R740-${i},Dell,PowerEdge R740,server,2020-01-15,2025-03-20,36,hdd:2,35.0,hgv:900,TR-D-${i},EC-D-${i}`,
  ),
].join("\n");

/** The largest Scope 3 inventory the API takes, as CSV (one row per model: nothing aggregates away). */
function inventoryCsv(rows: number): string {
  const lines = ["year,category,devices,pcf_kg_per_device,manufacturer,model"];
  for (let i = 0; i < rows; i++) lines.push(`2026,laptop,${1 + (i % 50)},300,Dell,Latitude ${i}`);
  return lines.join("\n") + "\n";
}

const stats = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { probes: s.length, p50_ms: r(at(0.5)), p99_ms: r(at(0.99)), max_ms: r(s[s.length - 1]!) };
};

/** Probes of `url` from a worker thread (its own event loop), one due every `gap` ms. */
function startProber(url: string, gap: number) {
  const worker = new Worker(
    `const { parentPort, workerData: { url, gap } } = require("node:worker_threads");
    let stop = false;
    async function one(scheduled, out) {
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status !== 200) out.failures += 1;
      } catch { out.failures += 1; }
      out.ms.push(performance.now() - scheduled);
    }
    parentPort.on("message", async (m) => {
      if (m.stop) { stop = true; return; }
      stop = false;
      const out = { ms: [], failures: 0 };
      const pending = [];
      const start = performance.now();
      // Open loop: probe i is due at start + i·gap whether or not the earlier ones have answered, and its latency
      // counts from when it was due, so a stall is charged to every probe it delays (no coordinated omission).
      for (let i = 0; m.count === undefined ? !stop : i < m.count; i++) {
        const due = start + i * gap;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(one(due, out));
      }
      await Promise.all(pending);
      parentPort.postMessage(out);
    });`,
    { eval: true, workerData: { url, gap } },
  );
  const next = () => new Promise<{ ms: number[]; failures: number }>((resolve) => worker.once("message", resolve));
  return {
    run(count: number) {
      const done = next();
      worker.postMessage({ count });
      return done;
    },
    runUntilStopped() {
      const done = next();
      worker.postMessage({});
      return done;
    },
    stop: () => worker.postMessage({ stop: true }),
    close: () => worker.terminate(),
  };
}

const dir = mkdtempSync(join(tmpdir(), "itec-bench-dos-"));
const h = await startApiHarness({
  env: {
    ITEC_DB_PATH: join(dir, "registry.db"),
    ITEC_RATE_LIMIT_READ: "100000000",
    ITEC_RATE_LIMIT_WRITE: "100000",
  },
});
try {
  const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
  const refurbisher = w("refurbisher");
  const client = new ApiClient(h.api.url);
  await client.signIn(refurbisher);

  // One retirement to verify, through the real pipeline.
  const seeded = await client.post<{ id: string }>("/lots", seedLot, { "content-type": "text/csv" });
  const job = `${seeded.id}-server`;
  const view = await client.get<Parameters<typeof signView>[1]>(`/batches/${job}/attestation`);
  await client.post(`/batches/${job}/signatures`, {
    auditor: w("auditor1").address,
    signature: await signView(w("auditor1"), view),
  });
  await untilConfirmed(h, [job], 120_000);
  const tokenId = (await h.api.oracle.oracle.store.batch(job))!.token_id!;
  const retire = await client.buildRetirement({
    batchId: tokenId,
    amount: "1",
    beneficiaryName: "Refurb Co",
    periodStart: "2026-01-01",
    periodEnd: "2026-12-31",
    scope3Category: 2,
    purpose: "bench:dos",
  });
  await client.signAndRelay(refurbisher, retire);
  const verifyUrl = `${h.api.url}/verify/retirements/1`;
  for (let i = 0; i < 100; i++) {
    await h.api.deps.reads.cache.refresh();
    if ((await fetch(verifyUrl)).ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  // The prober runs on its own thread: on the API's event loop it would only probe when that loop is free.
  const prober = startProber(verifyUrl, GAP_MS);
  await prober.run(20); // warm-up
  const idleRun = await prober.run(IDLE_PROBES);

  // Under load: the largest lot and REPORTS maximum-size Scope 3 PDFs, all at once.
  const lotFile = join(dir, "lot.csv");
  await generateLot(DEVICES, lotFile);
  const lotCsv = readFileSync(lotFile, "utf8");
  const inventory = inventoryCsv(REQUEST_LIMITS.inventoryRows);
  const token = await h.signIn(refurbisher);
  const heavy: { request: string; status: number; seconds: number; code?: string }[] = [];
  async function timed(request: string, send: () => Promise<Response>): Promise<void> {
    const t0 = performance.now();
    const res = await send();
    const body = Buffer.from(await res.arrayBuffer());
    const code = res.ok ? undefined : (JSON.parse(body.toString()) as { code?: string }).code;
    heavy.push({
      request,
      status: res.status,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      ...(code ? { code } : {}),
    });
  }
  const under = prober.runUntilStopped();
  const load = Promise.all([
    timed(`POST /lots (${DEVICES} devices, ${(lotCsv.length / 1e6).toFixed(1)} MB CSV)`, () =>
      fetch(`${h.api.url}/lots?defaultTransport=hgv:600;van:250`, {
        method: "POST",
        headers: { "content-type": "text/csv", authorization: `Bearer ${token}` },
        body: lotCsv,
      }),
    ),
    ...Array.from({ length: REPORTS }, () =>
      timed(`POST /reports/scope3 (${REQUEST_LIMITS.inventoryRows} rows CSV → PDF)`, () =>
        fetch(`${h.api.url}/reports/scope3?account=${refurbisher.address}&year=2026&format=pdf`, {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body: inventory,
        }),
      ),
    ),
  ]).finally(() => prober.stop());
  const t0 = performance.now();
  await load;
  const loadedRun = await under;
  await prober.close();
  const loadSeconds = Math.round((performance.now() - t0) / 100) / 10;

  const results = {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg()[0]!.toFixed(1), node: process.version },
    workers: { size: h.api.deps.workers?.size ?? null, queue: h.api.deps.workers?.queueLength ?? null },
    probe: `GET /verify/retirements/1, loopback, one due every ${GAP_MS} ms (open loop)`,
    idle: { ...stats(idleRun.ms), failures: idleRun.failures },
    underLoad: { ...stats(loadedRun.ms), failures: loadedRun.failures, seconds: loadSeconds },
    heavy,
    targetP99Ms: TARGET_P99_MS,
    // The harness checks every JSON answer against its declared schema before sending it (production does not).
    replyValidation: true,
  };
  console.log(`idle        p50 ${results.idle.p50_ms} ms, p99 ${results.idle.p99_ms} ms (${results.idle.probes})`);
  console.log(
    `under load  p50 ${results.underLoad.p50_ms} ms, p99 ${results.underLoad.p99_ms} ms, max ` +
      `${results.underLoad.max_ms} ms (${results.underLoad.probes} probes, ${loadedRun.failures} failed, ${loadSeconds} s)`,
  );
  for (const r of heavy) console.log(`  ${r.request}: ${r.status}${r.code ? ` ${r.code}` : ""} in ${r.seconds} s`);
  console.log(`target p99 ≤ ${TARGET_P99_MS} ms: ${results.underLoad.p99_ms <= TARGET_P99_MS ? "met" : "NOT met"}`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/dos.json", JSON.stringify(results, null, 2) + "\n");
} finally {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
}
