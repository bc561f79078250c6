/** In-lot duplicate serials (docs/methodology.md §6, `SERIAL_DUPLICATE`). */
import type { DeviceInput } from "./types.ts";

/**
 * Marks every device whose normalised serial occurs more than once (rows without a serial or with reader problems
 * do not count). Exact: 32-bit string hashes are sorted with the row index, and rows with equal hashes are compared
 * as strings — cheaper in time and memory than a map of a million serials.
 */
export function duplicateSerials(devices: readonly DeviceInput[], serials: readonly string[]): Uint8Array {
  const n = serials.length;
  const dup = new Uint8Array(n);
  // key = (top hash bits) · 2^indexBits + index, kept below 2^53.
  const indexBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const span = 2 ** indexBits;
  const hashShift = Math.max(0, 32 - (53 - indexBits));
  const keys = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const s = serials[i]!;
    const problems = devices[i]!.readerProblems;
    if (s === "" || (problems !== undefined && problems.length > 0)) continue;
    let h = 0x811c9dc5; // FNV-1a over UTF-16 code units
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
    keys[m++] = ((h >>> 0) >>> hashShift) * span + i;
  }
  const sorted = keys.subarray(0, m).sort();
  for (let a = 0; a < m;) {
    const hash = Math.floor(sorted[a]! / span);
    let b = a + 1;
    while (b < m && Math.floor(sorted[b]! / span) === hash) b++;
    if (b - a > 1) {
      // Equal hashes: compare the serials themselves (a map when the run is long, so no input can make it quadratic).
      const first = new Map<string, number>();
      for (let x = a; x < b; x++) {
        const i = sorted[x]! % span;
        const j = first.get(serials[i]!);
        if (j === undefined) first.set(serials[i]!, i);
        else dup[i] = dup[j] = 1;
      }
    }
    a = b;
  }
  return dup;
}
