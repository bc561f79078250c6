/**
 * The capacity model of docs/capacity.md, computed from the measured figures in bench/results/*.json and the
 * generated network's block gas limit and block period, so the document cannot drift from the measurements:
 *
 *     npx tsx network/besu/capacity.ts            # print the tables
 *     npx tsx network/besu/capacity.ts --write    # rewrite the generated part of docs/capacity.md
 *
 * Measured inputs are read from the JSON files and named by file and field in the output; everything that is an
 * assumption (the demand of a national market, peak factor, transfers per batch…) is a named constant below and is
 * printed as such. test/network/besu-capacity.test.ts checks the arithmetic and that docs/capacity.md is current.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import * as prettier from "prettier";
import { z } from "zod";

import { networkOptionsSchema } from "./options.ts";

const oracleRun = z.object({
  chain: z.string(),
  /** The job store's engine of the run (bench:oracle measures SQLite and PostgreSQL in one run). */
  store: z.string().optional(),
  lots: z.number(),
  devices_per_lot: z.number(),
  batches_minted: z.number(),
  lots_per_minute: z.number(),
  devices_per_s: z.number(),
});
const apiFigure = z.object({ rps: z.number(), p50_ms: z.number(), p99_ms: z.number() });

/** The fields of bench/results/*.json the model uses (anything else in the files is ignored). */
export const benchInputsSchema = z.object({
  gas: z.record(z.string(), z.number()),
  // bench:oracle writes `{ runs, postgres_vs_sqlite }`; earlier results were the bare list of runs.
  oracle: z.union([z.array(oracleRun).min(1), z.object({ runs: z.array(oracleRun).min(1) }).transform((o) => o.runs)]),
  api: z.record(z.string(), apiFigure),
  verify: z.object({
    sizes: z.record(
      z.string(),
      z.object({
        blocksFromDeploymentToHead: z.number(),
        rpcCallsPerVerification: z.record(z.string(), z.number()),
        node: z.object({ batchIssuedTopicGetLogsDeploymentToHead: z.object({ p50_ms: z.number() }) }),
      }),
    ),
  }),
});
export type BenchInputs = z.infer<typeof benchInputsSchema>;

/** Block gas limit and block period of the network: the generator's defaults unless given. */
export interface ChainParameters {
  readonly gasLimit: number;
  readonly blockPeriodSeconds: number;
}

/** ASSUMPTIONS, not measurements: the demand of a national ITAD market (issue 16) and how it is shaped. */
export const ASSUMPTIONS = {
  /** Refurbished devices certified per year in one national market. */
  devicesPerYear: 10_000_000,
  /** Retirements (claims) per year in that market. */
  retirementsPerYear: 100_000,
  /** Transfers per issued batch (refurbisher → trader/corporate). */
  transfersPerBatch: 1,
  /** Busiest hour ÷ average hour. */
  peakFactor: 10,
  /** Besu's default `--rpc-max-logs-range`: blocks per eth_getLogs when the SDK searches a capping node. */
  maxLogsRange: 5_000,
} as const;

/** Operations of the chain table: label and the gas.json field measured for it. */
export const OPERATIONS: readonly (readonly [label: string, field: string])[] = [
  ["issue, 1 auditor", "issue_1_auditor"],
  ["issue, 2 auditing bodies", "issue_2_of_3"],
  ["transfer to a new holder", "transfer_new_holder"],
  ["transfer to an existing holder", "transfer_existing_holder"],
  ["retire", "retire"],
  ["admit a participant", "admit_participant"],
];

const SECONDS_PER_YEAR = 365 * 24 * 3600;
const SCALES = [1, 10, 100] as const;

export interface OperationRow {
  readonly label: string;
  readonly field: string;
  readonly gas: number;
  readonly perBlock: number;
  readonly perSecond: number;
}

export interface DemandRow {
  readonly scale: number;
  readonly devicesPerYear: number;
  readonly lotsPerYear: number;
  readonly issuancesPerYear: number;
  readonly transfersPerYear: number;
  readonly retirementsPerYear: number;
  /** Average and peak gas per second the demand needs, and the peak as a share of the chain's capacity. */
  readonly gasPerSecond: number;
  readonly peakChainShare: number;
  /** Average and peak lots per minute, and the peak as a share of the oracle's measured rate. */
  readonly lotsPerMinute: number;
  readonly peakOracleShare: number;
  /** Registry events per second on average (≥ one per issue, transfer and retirement). */
  readonly eventsPerSecond: number;
}

export interface CapacityModel {
  readonly chain: ChainParameters;
  readonly gasPerSecond: number;
  readonly operations: readonly OperationRow[];
  readonly oracle: readonly BenchInputs["oracle"][number][];
  /** The oracle run the demand is compared with: the one on a chain with a block interval (not automine). */
  readonly oracleReference: BenchInputs["oracle"][number];
  readonly batchesPerLot: number;
  readonly api: readonly (readonly [name: string, figure: BenchInputs["api"][string]])[];
  readonly demand: readonly DemandRow[];
  readonly blocksPerYear: number;
  readonly coldLookupCallsPerYearOfChain: number;
  readonly getLogs: readonly (readonly [blocks: number, p50Ms: number])[];
  /** RPC calls of one first-lookup retirement verification at the largest measured registry size. */
  readonly rpcCallsPerVerification: number;
}

function required(gas: Record<string, number>, field: string): number {
  const value = gas[field];
  if (value === undefined) throw new Error(`bench/results/gas.json has no field ${field}`);
  return value;
}

/** Computes the model; pure. */
export function capacityModel(bench: BenchInputs, chain: ChainParameters): CapacityModel {
  const gasPerSecond = chain.gasLimit / chain.blockPeriodSeconds;
  const operations = OPERATIONS.map(([label, field]) => {
    const gas = required(bench.gas, field);
    const perBlock = Math.floor(chain.gasLimit / gas);
    return { label, field, gas, perBlock, perSecond: perBlock / chain.blockPeriodSeconds };
  });
  // The realistic oracle figure is the slowest measured run (a chain with block intervals, like QBFT's).
  const oracleReference = bench.oracle.reduce((a, b) => (b.lots_per_minute < a.lots_per_minute ? b : a));
  const batchesPerLot = oracleReference.batches_minted / oracleReference.lots;
  const issueGas = required(bench.gas, "issue_2_of_3");
  const transferGas = required(bench.gas, "transfer_new_holder");
  const retireGas = required(bench.gas, "retire");
  const demand = SCALES.map((scale): DemandRow => {
    const devicesPerYear = ASSUMPTIONS.devicesPerYear * scale;
    const lotsPerYear = devicesPerYear / oracleReference.devices_per_lot;
    const issuancesPerYear = lotsPerYear * batchesPerLot;
    const transfersPerYear = issuancesPerYear * ASSUMPTIONS.transfersPerBatch;
    const retirementsPerYear = ASSUMPTIONS.retirementsPerYear * scale;
    const gasNeeded =
      (issuancesPerYear * issueGas + transfersPerYear * transferGas + retirementsPerYear * retireGas) /
      SECONDS_PER_YEAR;
    const lotsPerMinute = (lotsPerYear / SECONDS_PER_YEAR) * 60;
    return {
      scale,
      devicesPerYear,
      lotsPerYear,
      issuancesPerYear,
      transfersPerYear,
      retirementsPerYear,
      gasPerSecond: gasNeeded,
      peakChainShare: (gasNeeded * ASSUMPTIONS.peakFactor) / gasPerSecond,
      lotsPerMinute,
      peakOracleShare: (lotsPerMinute * ASSUMPTIONS.peakFactor) / oracleReference.lots_per_minute,
      eventsPerSecond: (issuancesPerYear + transfersPerYear + retirementsPerYear) / SECONDS_PER_YEAR,
    };
  });
  const blocksPerYear = SECONDS_PER_YEAR / chain.blockPeriodSeconds;
  const getLogs = Object.values(bench.verify.sizes)
    .map((s) => [s.blocksFromDeploymentToHead, s.node.batchIssuedTopicGetLogsDeploymentToHead.p50_ms] as const)
    .sort((a, b) => a[0] - b[0]);
  const largest = Object.values(bench.verify.sizes).reduce((a, b) =>
    b.blocksFromDeploymentToHead > a.blocksFromDeploymentToHead ? b : a,
  );
  return {
    chain,
    gasPerSecond,
    operations,
    oracle: bench.oracle,
    oracleReference,
    batchesPerLot,
    api: Object.entries(bench.api),
    demand,
    blocksPerYear,
    coldLookupCallsPerYearOfChain: Math.ceil(blocksPerYear / ASSUMPTIONS.maxLogsRange),
    getLogs,
    rpcCallsPerVerification: Object.values(largest.rpcCallsPerVerification).reduce((a, b) => a + b, 0),
  };
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const dec = (n: number, digits = 1): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (n: number): string => `${dec(n * 100, n < 0.01 ? 2 : 1)} %`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/** The generated part of docs/capacity.md: markdown tables, every measured figure named by file and field. */
export function renderCapacity(m: CapacityModel): string {
  const { chain } = m;
  const lines: string[] = [
    `Chain: block gas limit ${int(chain.gasLimit)}, block period ${chain.blockPeriodSeconds} s (the generator's defaults) → ${int(m.gasPerSecond)} gas/s.`,
    "",
    "**One network** (gas per operation from `bench/results/gas.json`; block gas alone — Besu's execution speed was not measured):",
    "",
    ...table(
      ["operation", "gas (gas.json field)", "per block", "per second", "per day"],
      m.operations.map((o) => [
        o.label,
        `${int(o.gas)} (\`${o.field}\`)`,
        int(o.perBlock),
        dec(o.perSecond),
        int(o.perSecond * 86_400),
      ]),
    ),
    "",
    "**Oracle** (`bench/results/oracle.json`; one worker holds the lease, so this is per network):",
    "",
    ...table(
      ["run (`chain`)", "job store", "`lots_per_minute`", "`devices_per_s`", "`devices_per_lot`", "batches per lot"],
      m.oracle.map((r) => [
        r.chain,
        r.store ?? "SQLite",
        dec(r.lots_per_minute),
        int(r.devices_per_s),
        int(r.devices_per_lot),
        dec(r.batches_minted / r.lots, 2),
      ]),
    ),
    "",
    "**API, per instance** (`bench/results/api.json`):",
    "",
    ...table(
      ["endpoint (key)", "`rps`", "`p50_ms`", "`p99_ms`"],
      m.api.map(([name, f]) => [name, int(f.rps), int(f.p50_ms), int(f.p99_ms)]),
    ),
    "",
    `One first-lookup retirement verification costs ${m.rpcCallsPerVerification} RPC calls on the node (\`bench/results/verify.json\`, \`rpcCallsPerVerification\` at the largest size); the API keeps one reader per process with a per-block cache and remembered event locations (\`core/chain/reads.ts\`).`,
    "",
    "**Indexer**: no throughput figure in `bench/results/` — not measured. Demand below is given in events/s.",
    "",
    `**Demand** — ASSUMPTIONS, not measurements: a national market of ${int(ASSUMPTIONS.devicesPerYear)} devices and ${int(ASSUMPTIONS.retirementsPerYear)} retirements a year (1×), lots of ${int(m.oracleReference.devices_per_lot)} devices and ${dec(m.batchesPerLot, 2)} batches per lot as in the oracle run "${m.oracleReference.chain}", ${ASSUMPTIONS.transfersPerBatch} transfer per batch, peak hour = ${ASSUMPTIONS.peakFactor}× the average; issuances at \`issue_2_of_3\`, transfers at \`transfer_new_holder\`, retirements at \`retire\`:`,
    "",
    ...table(
      [
        "scale",
        "issuances/yr",
        "transfers/yr",
        "retirements/yr",
        "gas/s (avg)",
        "chain at peak",
        "lots/min (avg)",
        "oracle at peak",
        "events/s (avg)",
      ],
      m.demand.map((d) => [
        `${d.scale}×`,
        int(d.issuancesPerYear),
        int(d.transfersPerYear),
        int(d.retirementsPerYear),
        int(d.gasPerSecond),
        pct(d.peakChainShare),
        dec(d.lotsPerMinute, 2),
        pct(d.peakOracleShare),
        dec(d.eventsPerSecond, 3),
      ]),
    ),
    "",
    `**Chain length** (independent of demand): ${int(m.blocksPerYear)} blocks a year at ${chain.blockPeriodSeconds} s; a cold lookup of a batch's \`BatchIssued\` through a node capping \`eth_getLogs\` at ${int(ASSUMPTIONS.maxLogsRange)} blocks (Besu's default \`--rpc-max-logs-range\`) takes up to ${int(m.coldLookupCallsPerYearOfChain)} calls per year of chain. Measured whole-range \`eth_getLogs\` on anvil (\`bench/results/verify.json\`, \`sizes.*.node.batchIssuedTopicGetLogsDeploymentToHead.p50_ms\`): ${m.getLogs.map(([blocks, ms]) => `${dec(ms, 2)} ms over ${int(blocks)} blocks`).join(", ")}.`,
  ];
  return lines.join("\n");
}

const BEGIN = "<!-- capacity:begin (generated by network/besu/capacity.ts --write; do not edit) -->";
const END = "<!-- capacity:end -->";

/** Replaces the generated block of a capacity.md text. */
export function withGeneratedBlock(doc: string, generated: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error("docs/capacity.md has no capacity:begin/end markers");
  return `${doc.slice(0, start + BEGIN.length)}\n\n${generated}\n\n${doc.slice(end)}`;
}

const root = new URL("../../", import.meta.url);

/** Formats capacity.md as `npm run lint` (prettier) does, so the written file and the drift check agree. */
export async function formatDoc(text: string): Promise<string> {
  const config = (await prettier.resolveConfig(fileURLToPath(CAPACITY_DOC))) ?? {};
  return prettier.format(text, { ...config, parser: "markdown" });
}

/** Reads bench/results/{gas,oracle,api,verify}.json of this repository. */
export async function readBenchInputs(dir = new URL("bench/results/", root)): Promise<BenchInputs> {
  const read = async (name: string): Promise<unknown> => JSON.parse(await readFile(new URL(name, dir), "utf8"));
  return benchInputsSchema.parse({
    gas: await read("gas.json"),
    oracle: await read("oracle.json"),
    api: await read("api.json"),
    verify: await read("verify.json"),
  });
}

/** The network the generator writes by default. */
export function defaultChain(): ChainParameters {
  const defaults = networkOptionsSchema.parse({});
  return { gasLimit: defaults.gasLimit, blockPeriodSeconds: defaults.blockPeriodSeconds };
}

export const CAPACITY_DOC = new URL("docs/capacity.md", root);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const generated = renderCapacity(capacityModel(await readBenchInputs(), defaultChain()));
  if (process.argv.includes("--write")) {
    const doc = await formatDoc(withGeneratedBlock(await readFile(CAPACITY_DOC, "utf8"), generated));
    await writeFile(CAPACITY_DOC, doc);
    process.stdout.write(`wrote ${fileURLToPath(CAPACITY_DOC)}\n`);
  } else {
    process.stdout.write(`${generated}\n`);
  }
}
