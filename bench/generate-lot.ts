/**
 * Synthetic lot generator for `npm run bench:calc` (and large-lot tests): a deterministic (seeded) CSV with a realistic
 * mix — six categories in ITAD proportions, models drawn Zipf-like from the reference table (T1 and T2 rows) plus
 * ~10 % unknown models (T3), every date form, real warranty terms, parts and transport overrides on a minority of
 * rows, and ~1.5 % of rows that are excluded (missing serials, duplicates, missing test/erasure ids, unknown
 * categories, bad fields, too old, too short a warranty, mainboards, heavy parts).
 *
 * Usage: `npx tsx bench/generate-lot.ts <devices> <out.csv> [seed]`
 */
import { createWriteStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { parse } from "csv-parse/sync";

import { LOT_HEADER } from "../core/calc/lot/index.ts";
import { DEFAULT_REFERENCE_PATH } from "../core/calc/reference-file.ts";

/** mulberry32: a small deterministic PRNG (the bench must generate the same lot every time). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Weighted<T> = readonly (readonly [T, number])[];

function picker<T>(rand: () => number, items: Weighted<T>): () => T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  return () => {
    let x = rand() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1]![0];
  };
}

/** Zipf(s = 1.1) over `n` ranks. */
function zipf(rand: () => number, n: number): () => number {
  const cdf: number[] = [];
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf.push((sum += 1 / k ** 1.1));
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const CATEGORY_MIX: Weighted<string> = [
  ["laptop", 55],
  ["desktop", 20],
  ["monitor", 12],
  ["smartphone", 6],
  ["tablet", 4],
  ["server", 3],
];
const SUBCATEGORY: Record<string, string> = {
  laptop: "Laptop",
  desktop: "Desktop",
  monitor: "Monitor",
  smartphone: "Smartphone",
  tablet: "Tablet",
  server: "Server",
};
const UNKNOWN_MODELS: Record<string, [string, string][]> = {
  laptop: [
    ["Fujitsu", "LIFEBOOK U7410"],
    ["Getac", "S410"],
    ["Toshiba", "Tecra A50"],
    ["Medion", "Akoya E15"],
  ],
  desktop: [
    ["Fujitsu", "ESPRIMO D7010"],
    ["Medion", "Akoya P66"],
    ["Shuttle", "XPC SH510"],
  ],
  monitor: [
    ["Iiyama", "ProLite XUB2492"],
    ["Eizo", "FlexScan EV2460"],
    ["BenQ", "GW2480"],
  ],
  smartphone: [
    ["Nokia", "G21"],
    ["Motorola", "moto g32"],
    ["OnePlus", "Nord 2"],
  ],
  tablet: [
    ["Lenovo", "Tab M10"],
    ["Xiaomi", "Pad 5"],
  ],
  server: [
    ["Supermicro", "SYS-1029P"],
    ["Fujitsu", "PRIMERGY RX2540 M5"],
  ],
};
const PARTS: Record<string, Weighted<string>> = {
  laptop: [
    ["", 45],
    ["battery:42Wh", 5],
    ["battery:56Wh", 6],
    ["battery:63Wh", 6],
    ["battery:86Wh", 3],
    ["ssd:256GB", 5],
    ["ssd:512GB", 5],
    ["ssd:1TB", 1],
    ["ram:8GB", 3],
    ["ram:16GB", 3],
    ["battery:56Wh;ssd:256GB", 3],
    ["battery:63Wh;ram:16GB", 2],
    ["display", 2],
    ["other:0.2kg", 1],
    ["mainboard", 0.5],
    ["display;ssd:1TB;battery:86Wh;ram:32GB", 0.3],
  ],
  desktop: [
    ["", 55],
    ["ssd:256GB", 12],
    ["ssd:512GB", 10],
    ["ram:16GB", 8],
    ["hdd", 4],
    ["hdd:2", 1],
    ["ssd:512GB;ram:16GB", 4],
    ["other:0.4kg", 1],
    ["mainboard", 0.5],
  ],
  monitor: [
    ["", 85],
    ["other:0.4kg", 8],
    ["other:0.9kg", 3],
  ],
  smartphone: [
    ["", 60],
    ["battery:12Wh", 15],
    ["battery:15Wh", 10],
    ["display", 6],
  ],
  tablet: [
    ["", 70],
    ["battery:28Wh", 15],
    ["display", 5],
  ],
  server: [
    ["", 50],
    ["hdd:2", 15],
    ["hdd:4", 10],
    ["ssd:1TB", 8],
    ["ram:32GB", 8],
    ["ssd:1TB;ram:32GB", 4],
  ],
};
const MASSES: Record<string, string[]> = {
  laptop: ["1.2", "1.4", "1.6", "1.8", "2.0", "2.2", "2.5"],
  desktop: ["5.5", "7.0", "8.5", "9.0", "11.0"],
  monitor: ["4.5", "5.6", "6.8", "7.0", "8.2"],
  smartphone: ["0.3", "0.4", "0.5"],
  tablet: ["0.6", "0.8", "1.0"],
  server: ["18.0", "27.5", "35.0"],
};
const TRANSPORT_OVERRIDES = ["hgv:400;van:120", "hgv:900", "van:60", "rail:800;van:50", "sea:9000;hgv:300", "none"];

const quote = (text: string): string =>
  /[",\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;

/** Writes a synthetic lot CSV and resolves when the file is complete. */
export async function generateLot(devices: number, path: string, seed = 20261128): Promise<void> {
  const rand = prng(seed);
  const reference = parse<Record<string, string>>(readFileSync(DEFAULT_REFERENCE_PATH), { columns: true });
  const models: Record<string, [string, string][]> = {};
  for (const [category, sub] of Object.entries(SUBCATEGORY)) {
    // Rows with data usable for T1/T2; the order is shuffled once so popularity is not alphabetical.
    const rows = reference
      .filter((r) => r.subcategory === sub && (r.gwp_manufacturing_ratio !== "" || r.gwp_use_ratio !== ""))
      .map((r) => [r.manufacturer!, r.name!] as [string, string]);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    models[category] = rows;
  }
  const category = picker(rand, CATEGORY_MIX);
  const rank: Record<string, () => number> = Object.fromEntries(
    Object.entries(models).map(([c, list]) => [c, zipf(rand, list.length)]),
  );
  const parts = Object.fromEntries(Object.entries(PARTS).map(([c, w]) => [c, picker(rand, w)]));
  const months = picker(rand, [
    ["12", 25],
    ["18", 5],
    ["24", 35],
    ["36", 30],
    ["48", 2],
    ["6", 1],
  ]);
  const year = picker(rand, [
    [2016, 1],
    [2017, 3],
    [2018, 8],
    [2019, 16],
    [2020, 22],
    [2021, 22],
    [2022, 16],
    [2023, 9],
    [2024, 3],
  ]);
  const pad = (x: number): string => String(x).padStart(2, "0");
  const refurbishedDay = (): string => {
    // 2024-06-01 … 2025-12-31
    const d = Math.floor(rand() * 579);
    const date = new Date(Date.UTC(2024, 5, 1 + d));
    return date.toISOString().slice(0, 10);
  };
  const serials: string[] = [];

  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const write = (text: string): Promise<void> | undefined =>
    out.write(text) ? undefined : new Promise((resolve) => out.once("drain", () => resolve()));
  await write(`${LOT_HEADER}\n`);
  let buffer = "";
  for (let i = 0; i < devices; i++) {
    let cat = category();
    let manufacturer: string;
    let model: string;
    if (rand() < 0.1) [manufacturer, model] = UNKNOWN_MODELS[cat]![Math.floor(rand() * UNKNOWN_MODELS[cat]!.length)]!;
    else [manufacturer, model] = models[cat]![rank[cat]!()]!;
    if (rand() < 0.05) {
      manufacturer = manufacturer.toUpperCase();
      model = ` ${model.replace(/ /g, "  ")} `;
    }
    const y = year();
    const m = 1 + Math.floor(rand() * 12);
    const form = rand();
    let made =
      form < 0.15 ? `${y}` : form < 0.6 ? `${y}-${pad(m)}` : `${y}-${pad(m)}-${pad(1 + Math.floor(rand() * 28))}`;
    const refurbished = refurbishedDay();
    let serial = (Math.imul(i + 1, 2654435761) >>> 0).toString(36).toUpperCase() + i.toString(36).toUpperCase();
    let second = months();
    let partText = parts[cat]!();
    const mass = rand() < 0.3 ? MASSES[cat]![Math.floor(rand() * MASSES[cat]!.length)]! : "";
    const transport = rand() < 0.15 ? TRANSPORT_OVERRIDES[Math.floor(rand() * TRANSPORT_OVERRIDES.length)]! : "";
    let test = `TR-${i + 1}`;
    let erasure = `EC-${i + 1}`;
    // Exclusions, ~1.5 % of rows in all (plus the natural TOO_OLD / too-short / mainboard / heavy-parts cases).
    const x = rand();
    if (x < 0.001) serial = "";
    else if (x < 0.003 && serials.length > 0) serial = serials[Math.floor(rand() * serials.length)]!;
    else if (x < 0.006) test = "";
    else if (x < 0.009) erasure = "";
    else if (x < 0.011) cat = "printer";
    else if (x < 0.013) made = "31/12/2021";
    else if (x < 0.014) partText = "battery:lots";
    else if (x < 0.015) second = "three";
    if (i % 1000 === 0) serials.push(serial);
    buffer += `${serial},${quote(manufacturer)},${quote(model)},${cat},${made},${refurbished},${second},${partText},${mass},${transport},${test},${erasure}\n`;
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = "";
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [count, path, seed] = process.argv.slice(2);
  if (count === undefined || path === undefined) {
    process.stderr.write("usage: tsx bench/generate-lot.ts <devices> <out.csv> [seed]\n");
    process.exit(2);
  }
  await generateLot(Number(count), path, seed === undefined ? undefined : Number(seed));
}
