/**
 * The fonts the documents embed, shipped in `data/fonts/` (see its README for provenance and licences): DejaVu Sans
 * (regular, bold, mono) for Latin, Greek, Cyrillic, most symbols and emoticons, and Droid Sans Fallback for Chinese
 * and Japanese — so a PDF or chart looks the same on every machine and never depends on the fonts installed there,
 * and a beneficiary name prints as the chain holds it.
 *
 * A text is drawn in runs: each grapheme in the first font of the chain that has glyphs for it. A grapheme no
 * shipped font can draw is printed as its code points, `[U+D55C]`, never as a silent `?`, and the document says so.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { PACKAGE_ROOT } from "../package.ts";

const DIR = new URL("data/fonts/", PACKAGE_ROOT);

export const FONT_FILES = {
  sans: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
  mono: "DejaVuSansMono.ttf",
  cjk: "DroidSansFallbackFull.ttf",
} as const;

export type FontKey = keyof typeof FONT_FILES;

/** The family name the chart's SVG asks for (the regular and bold DejaVu Sans files above). */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** Fallbacks tried, in order, after a style's own font. */
const CHAINS: Record<FontKey, readonly FontKey[]> = {
  sans: ["sans", "cjk"],
  bold: ["bold", "sans", "cjk"],
  mono: ["mono", "sans", "cjk"],
  cjk: ["cjk", "sans"],
};

export function fontPath(key: FontKey): string {
  return fileURLToPath(new URL(FONT_FILES[key], DIR));
}

interface LoadedFont {
  readonly bytes: Buffer;
  /** Bit per code point: the font maps it to a glyph other than .notdef. */
  readonly coverage: Uint8Array;
}

const loaded = new Map<FontKey, LoadedFont>();

export function fontBytes(key: FontKey): Buffer {
  return load(key).bytes;
}

function load(key: FontKey): LoadedFont {
  let f = loaded.get(key);
  if (f === undefined) {
    const bytes = readFileSync(fontPath(key));
    f = { bytes, coverage: cmapCoverage(bytes, FONT_FILES[key]) };
    loaded.set(key, f);
  }
  return f;
}

export function hasGlyph(key: FontKey, codePoint: number): boolean {
  const c = load(key).coverage;
  return (c[codePoint >> 3]! & (1 << (codePoint & 7))) !== 0;
}

/**
 * The code points a TrueType/OpenType font maps to a real glyph, read from its `cmap` table (format 12, the full
 * Unicode map, when present; else format 4, the BMP map) — the same subtables fontkit, pdfkit's font engine, prefers.
 */
function cmapCoverage(buf: Buffer, name: string): Uint8Array {
  const bits = new Uint8Array(0x110000 >> 3);
  const set = (cp: number) => {
    bits[cp >> 3]! |= 1 << (cp & 7);
  };
  const numTables = buf.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    if (buf.toString("latin1", rec, rec + 4) === "cmap") cmap = buf.readUInt32BE(rec + 8);
  }
  if (cmap < 0) throw new Error(`font ${name} has no cmap table`);
  let f12 = -1;
  let f4 = -1;
  const subtables = buf.readUInt16BE(cmap + 2);
  for (let i = 0; i < subtables; i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = buf.readUInt16BE(rec);
    const encoding = buf.readUInt16BE(rec + 2);
    const offset = cmap + buf.readUInt32BE(rec + 4);
    const format = buf.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && f12 < 0) f12 = offset;
    if (format === 4 && f4 < 0) f4 = offset;
  }
  if (f12 >= 0) {
    const groups = buf.readUInt32BE(f12 + 12);
    for (let g = 0; g < groups; g++) {
      const o = f12 + 16 + 12 * g;
      const start = buf.readUInt32BE(o);
      const end = Math.min(buf.readUInt32BE(o + 4), 0x10ffff);
      const glyph = buf.readUInt32BE(o + 8);
      for (let cp = start; cp <= end; cp++) if (glyph + (cp - start) !== 0) set(cp);
    }
    return bits;
  }
  if (f4 < 0) throw new Error(`font ${name} has no Unicode cmap (format 4 or 12)`);
  const segments = buf.readUInt16BE(f4 + 6) / 2;
  const ends = f4 + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  for (let s = 0; s < segments; s++) {
    const end = buf.readUInt16BE(ends + 2 * s);
    const start = buf.readUInt16BE(starts + 2 * s);
    const delta = buf.readInt16BE(deltas + 2 * s);
    const rangeOffset = buf.readUInt16BE(rangeOffsets + 2 * s);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const g = buf.readUInt16BE(rangeOffsets + 2 * s + rangeOffset + 2 * (cp - start));
        glyph = g === 0 ? 0 : (g + delta) & 0xffff;
      }
      if (glyph !== 0) set(cp);
    }
  }
  return bits;
}

/** A piece of text drawn in one font; `font: null` marks code points no shipped font has, printed as `[U+XXXX]`. */
export interface FontRun {
  readonly font: FontKey;
  readonly text: string;
  readonly missing: boolean;
}

/** Default-ignorable code points (joiners, variation selectors, bidi marks, …): kept when the font has them. */
const IGNORABLE: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0x1bca0, 0x1bca3],
  [0x1d173, 0x1d17a],
  [0xe0000, 0xe0fff],
];
const ignorable = (cp: number) => IGNORABLE.some(([lo, hi]) => cp >= lo && cp <= hi);

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Splits `text` into runs for the style `key`: each grapheme (a base character with its combining marks, an emoji
 * sequence) in the first font of the style's chain that draws all of it.
 */
export function fontRuns(text: string, key: FontKey): FontRun[] {
  const chain = CHAINS[key];
  const runs: FontRun[] = [];
  const push = (font: FontKey, piece: string, missing: boolean) => {
    const last = runs.at(-1);
    if (last && last.font === font && last.missing === missing)
      runs[runs.length - 1] = { ...last, text: last.text + piece };
    else runs.push({ font, text: piece, missing });
  };
  for (const { segment } of graphemes.segment(text)) {
    const cps = [...segment].map((c) => c.codePointAt(0)!);
    // Controls (line breaks, tabs) belong to no font: they stay in the current run.
    if (cps.every((cp) => cp < 0x20 || cp === 0x7f)) {
      push(runs.at(-1)?.font ?? key, segment, runs.at(-1)?.missing ?? false);
      continue;
    }
    const font = chain.find((f) => cps.every((cp) => hasGlyph(f, cp) || ignorable(cp) || cp < 0x20));
    if (font !== undefined) {
      const drawable = cps.filter((cp) => hasGlyph(font, cp) || cp < 0x20);
      push(font, String.fromCodePoint(...drawable), false);
    } else {
      const shown = cps.filter((cp) => !ignorable(cp));
      push(key, shown.map((cp) => `[U+${cp.toString(16).toUpperCase().padStart(4, "0")}]`).join(""), true);
    }
  }
  return runs;
}

/** The sentence a document adds when some character had to be printed as code points. */
export const MISSING_GLYPHS_NOTE =
  "Characters that none of the document's embedded fonts can draw are printed as their Unicode code points, [U+XXXX]; the exact text is on the chain.";
