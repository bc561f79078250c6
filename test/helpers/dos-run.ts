/**
 * The DoS scenario (issue 18 item 2), shared by `npm run bench:dos` (bench/dos.ts) and the hardening campaign
 * (test/soak/dos.test.ts): `GET /verify/retirements/{id}` probes on loopback, first on an idle API, then — in the
 * same run, on the same server — while the largest accepted lot is calculated and maximum-size Scope 3 requests
 * (CSV inventories rendered as PDF) run. The registry is the test harness's (a real chain, the API with its oracle
 * on a SQLite job-store file); one retirement is seeded through the real pipeline (lot, auditor signature, oracle
 * mint, relayed retirement), and the probes verify it from the chain.
 *
 * Probes are sent on a fixed schedule (one every `gapMs`, open loop: a stall is charged to every probe it delays)
 * from a worker thread of their own, off the API's event loop. Target: p99 ≤ 50 ms under load.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

import { generateLot } from "../../bench/generate-lot.ts";
import { ApiClient } from "../../sdk/src/api-client.ts";
import { startApiHarness, untilConfirmed } from "./api.ts";
import { signView } from "./sign.ts";

export const TARGET_P99_MS = 50;

export interface DosOptions {
  /** Devices in the lot calculated under load (the largest accepted: REQUEST_LIMITS.lotDevices). */
  devices: number;
  /** Scope 3 reports rendered at once, each of `inventoryRows` CSV rows. */
  reports: number;
  inventoryRows: number;
  /** Probes on the idle API, and the gap between probes (ms). */
  idleProbes: number;
  gapMs: number;
}

export interface HeavyRequest {
  request: string;
  status: number;
  seconds: number;
  code?: string;
}

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

export const stats = (xs: readonly number[]) => {
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

/** The event-loop delay of this thread from now until `stop` (ms: p99 and max, 5 ms resolution). */
function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return {
    stop() {
      h.disable();
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      return { p99_ms: ms(h.percentile(99)), max_ms: ms(h.max) };
    },
  };
}

/** Runs the scenario; the figures bench/results/dos.json holds (the caller writes them). */
export async function runDosScenario(options: DosOptions) {
  const { devices: DEVICES, reports: REPORTS, idleProbes: IDLE_PROBES, gapMs: GAP_MS } = options;
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
    // The API's own event-loop delay (it runs in this process): how long its loop was held, apart from the probes'
    // round trips (on a shared machine both also include the time the OS gives other processes).
    const idleLoop = loopDelay();
    const idleRun = await prober.run(IDLE_PROBES);
    const idleLoopMs = idleLoop.stop();

    // Under load: the largest lot and REPORTS maximum-size Scope 3 PDFs, all at once.
    const lotFile = join(dir, "lot.csv");
    await generateLot(DEVICES, lotFile);
    const lotCsv = readFileSync(lotFile, "utf8");
    const inventory = inventoryCsv(options.inventoryRows);
    const token = await h.signIn(refurbisher);
    const heavy: HeavyRequest[] = [];
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
    const loadAtStart = os.loadavg()[0]!.toFixed(1);
    const loadedLoop = loopDelay();
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
        timed(`POST /reports/scope3 (${options.inventoryRows} rows CSV → PDF)`, () =>
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
    const loadedLoopMs = loadedLoop.stop();
    await prober.close();
    const loadSeconds = Math.round((performance.now() - t0) / 100) / 10;

    const results = {
      date: new Date().toISOString().slice(0, 10),
      // One-minute load average when the load starts and when it ends (the machine may be shared).
      machine: {
        cpus: os.availableParallelism(),
        loadAverage: os.loadavg()[0]!.toFixed(1),
        loadAverageAtStart: loadAtStart,
        node: process.version,
      },
      workers: { size: h.api.deps.workers?.size ?? null, queue: h.api.deps.workers?.queueLength ?? null },
      probe: `GET /verify/retirements/1, loopback, one due every ${GAP_MS} ms (open loop)`,
      idle: { ...stats(idleRun.ms), failures: idleRun.failures, apiLoopDelay: idleLoopMs },
      underLoad: {
        ...stats(loadedRun.ms),
        failures: loadedRun.failures,
        seconds: loadSeconds,
        apiLoopDelay: loadedLoopMs,
      },
      heavy,
      targetP99Ms: TARGET_P99_MS,
      // The harness checks every JSON answer against its declared schema before sending it (production does not).
      replyValidation: true,
    };
    return results;
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
