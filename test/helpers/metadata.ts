/**
 * Shared fixture for the token metadata tests: the renderer deployed on its own, batch records to render, and a
 * strict decoder of what it returns (canonical base64, valid UTF-8, strict JSON, a strictly well-formed SVG).
 */
import { Resvg } from "@resvg/resvg-js";
import type { NetworkConnection } from "hardhat/types/network";

import type { BatchMetadataRenderer } from "../../types/ethers-contracts/index.ts";

/** `IITECRegistry.BatchStatus` in on-chain order. */
export const BATCH_STATUS = { active: 0, suspended: 1, reversed: 2 } as const;
export type BatchStatusName = keyof typeof BATCH_STATUS;

/** The card's colour for each status (header band and badge). */
export const STATUS_COLOURS: Readonly<Record<BatchStatusName, string>> = {
  active: "#1f7a4d",
  suspended: "#b45309",
  reversed: "#b91c1c",
};

export const BASE_URI = "https://registry.example/batches/";
export const METHODOLOGY = "ITEC-CALC 1.0";
export const PARAMETERS = "ITEC-PARAMS-1";

/** A stored batch record (`IITECRegistry.Batch`) as the renderer receives it. */
export interface BatchRecord {
  issued: bigint;
  retired: bigint;
  baselineGrams: bigint;
  reductionGrams: bigint;
  category: number;
  status: number;
  vintageStart: bigint;
  vintageEnd: bigint;
  methodologyId: number;
}

/** A laptop batch of 2024, active, with figures whose kilograms need no padding; `overrides` change any field. */
export function batchRecord(overrides: Partial<BatchRecord> = {}): BatchRecord {
  return {
    issued: 1_234n,
    retired: 0n,
    baselineGrams: 984_960n,
    reductionGrams: 261_023n,
    category: 1,
    status: BATCH_STATUS.active,
    vintageStart: 1_704_067_200n, // 2024-01-01T00:00:00Z
    vintageEnd: 1_735_689_599n, // 2024-12-31T23:59:59Z
    methodologyId: 1,
    ...overrides,
  };
}

/** The renderer, deployed standalone (the registry deploys its own in its constructor). */
export async function deployRenderer(connection: NetworkConnection): Promise<BatchMetadataRenderer> {
  return (await connection.ethers.deployContract("BatchMetadataRenderer")) as unknown as BatchMetadataRenderer;
}

export interface Trait {
  trait_type: string;
  value: string | number;
  display_type?: string;
}

/** The metadata document as the renderer writes it. */
export interface Metadata {
  name: string;
  description: string;
  decimals: number;
  external_url: string;
  image: string;
  attributes: Trait[];
  properties: Record<string, string | number>;
}

export interface Decoded {
  json: Metadata;
  /** The exact JSON text (to compare documents byte for byte). */
  text: string;
  svg: string;
}

const JSON_PREFIX = "data:application/json;base64,";
const SVG_PREFIX = "data:image/svg+xml;base64,";
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes of a `data:` URI with `prefix`; throws unless its base64 is canonical (what re-encoding gives back). */
export function dataUriBytes(uri: string, prefix: string): Buffer {
  if (!uri.startsWith(prefix)) throw new Error(`not a ${prefix} URI: ${uri.slice(0, 40)}`);
  const base64 = uri.slice(prefix.length);
  const bytes = Buffer.from(base64, "base64");
  if (bytes.toString("base64") !== base64) throw new Error("not canonical base64");
  return bytes;
}

/** Throws unless `svg` is well-formed XML (resvg parses with roxmltree, a strict XML parser) and a drawable SVG. */
export function assertWellFormedSvg(svg: string): void {
  new Resvg(svg, { font: { loadSystemFonts: false } });
}

/** Decodes what `render`/`uri` returns, strictly at every layer. */
export function decodeMetadata(uri: string): Decoded {
  const text = utf8.decode(dataUriBytes(uri, JSON_PREFIX));
  const json = JSON.parse(text) as Metadata;
  const svg = utf8.decode(dataUriBytes(json.image, SVG_PREFIX));
  assertWellFormedSvg(svg);
  return { json, text, svg };
}

/** The character data of each `<text>` element of the card, in document order, with XML entities decoded. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&"),
  );
}
