/**
 * Where two calculation reports differ, named as a person would look for it: a device by its index in the report and
 * its id, a batch by its category, a parameter by its path in the parameter table. Used by `recomputeBatch`
 * (recompute.ts) to say what a published report and the one recomputed from its inputs disagree on.
 */

/** One thing that differs: where (a device, a batch, the parameters, …), which field, and the two values. */
export interface Difference {
  /** e.g. `device 3 (0x1f…)`, `batch server`, `parameters`, `chain batch #1`, `reference data`. */
  where: string;
  /** The field's name or path, e.g. `B`, `categories.server.processKg`, `deviceRoot`. */
  field: string;
  /** What the trusted side holds: the chain, the engine's parameter table, or the recomputed report. */
  expected: string;
  /** What the other side holds: the published report, the local reference data, … */
  actual: string;
}

/** Text of a JSON value for a difference (strings bare, the rest as JSON; absent = `(absent)`). */
export function valueText(value: unknown): string {
  if (value === undefined) return "(absent)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The leaves where `expected` and `actual` differ, as `[path, expected, actual]`: objects member by member (sorted
 * names), arrays item by item; a value of another kind, or a leaf that differs, is one entry. Stops after `limit`.
 */
export function jsonDifferences(
  expected: unknown,
  actual: unknown,
  path = "",
  limit = 50,
): [path: string, expected: unknown, actual: unknown][] {
  const out: [string, unknown, unknown][] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (out.length >= limit) return;
    if (isObject(a) && isObject(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        walk(a[key], b[key], p === "" ? key : `${p}.${key}`);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) out.push([p === "" ? "length" : `${p}.length`, a.length, b.length]);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${p}[${i}]`);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push([p, a, b]);
  };
  walk(expected, actual, path);
  return out;
}

/** A device of a report as a place: `device 3 (0x1f…)`, by its 0-based index in the report's device list. */
export function deviceWhere(index: number, device: unknown): string {
  const id = isObject(device) && typeof device.deviceId === "string" ? device.deviceId : undefined;
  const serial = isObject(device) && typeof device.serial === "string" ? device.serial : undefined;
  return `device ${index} (${id ?? (serial === undefined ? "no id" : `serial ${serial}`)})`;
}

/**
 * Every difference between a published report and the recomputed one, located: the head members (`method`,
 * `parameters`, `referenceData`, `lot`), each batch by category, each device by index and id.
 */
export function reportDifferences(recomputed: unknown, published: unknown, limit = 50): Difference[] {
  if (!isObject(recomputed) || !isObject(published)) {
    return [{ where: "report", field: "(whole)", expected: "a JSON object", actual: valueText(published) }];
  }
  const out: Difference[] = [];
  const push = (where: string, field: string, e: unknown, a: unknown) => {
    if (out.length < limit) out.push({ where, field, expected: valueText(e), actual: valueText(a) });
  };
  for (const key of [...new Set([...Object.keys(recomputed), ...Object.keys(published)])].sort()) {
    if (key === "devices" || key === "batches") continue;
    for (const [path, e, a] of jsonDifferences(recomputed[key], published[key], "", limit)) {
      push(key === "parameters" ? "parameters" : `report ${key}`, path === "" ? key : path, e, a);
    }
  }
  const rb: unknown[] = Array.isArray(recomputed.batches) ? (recomputed.batches as unknown[]) : [];
  const pb: unknown[] = Array.isArray(published.batches) ? (published.batches as unknown[]) : [];
  if (rb.length !== pb.length) push("report batches", "length", rb.length, pb.length);
  for (let i = 0; i < Math.min(rb.length, pb.length); i++) {
    const b = rb[i];
    const where = `batch ${isObject(b) ? valueText(b.category) : i}`;
    for (const [path, e, a] of jsonDifferences(rb[i], pb[i], "", limit)) push(where, path, e, a);
  }
  const rd: unknown[] = Array.isArray(recomputed.devices) ? (recomputed.devices as unknown[]) : [];
  const pd: unknown[] = Array.isArray(published.devices) ? (published.devices as unknown[]) : [];
  if (rd.length !== pd.length) push("report devices", "length", rd.length, pd.length);
  for (let i = 0; i < Math.min(rd.length, pd.length) && out.length < limit; i++) {
    for (const [path, e, a] of jsonDifferences(rd[i], pd[i], "", limit)) push(deviceWhere(i, pd[i]), path, e, a);
  }
  return out;
}

/** The first byte at which two byte strings differ (their common length when one is a prefix), or -1 when equal. */
export function firstDifferentByte(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
