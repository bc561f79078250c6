/**
 * Where a document's verify link points. A link must name the registry that holds the data, never a guessed
 * default: the API knows its own public URL (ITEC_PUBLIC_URL, else the address it listens on); a command that reads
 * only the chain knows a URL only when it is told one, or when the registry contract declares one — the
 * `external_url` of a batch's on-chain metadata, `<base>/verify/batches/<id>` as `npm start` deploys it (or
 * `<base>/batches/<id>`). Otherwise there is no link, and the document says how to verify from the chain instead.
 */
import type { ChainReads } from "../chain/reads.ts";

const DATA_JSON = "data:application/json;base64,";

/** The registry's base URL in a batch's `external_url`, or null when it has neither known shape or is not http(s). */
export function baseUrlFromExternalUrl(externalUrl: string, batchId: bigint | string): string | null {
  const suffix = new RegExp(`^(.*?)(?:/verify)?/batches/${String(batchId)}$`).exec(externalUrl.trim());
  if (!suffix) return null;
  return httpBaseUrl(suffix[1]!);
}

/** `url` without a trailing slash when it is an absolute http(s) URL with a host and no query or fragment; else null. */
export function httpBaseUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.host) return null;
  if (parsed.search || parsed.hash || parsed.username || parsed.password) return null;
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, "");
}

/**
 * The base URL the registry contract declares for batch `batchId` (its `uri(id)` metadata's `external_url`), or null
 * when the contract declares none this code can read as a registry URL.
 */
export async function registryBaseUrlOnChain(reads: ChainReads, batchId: bigint): Promise<string | null> {
  let uri: string;
  try {
    uri = await reads.chain.registry.uri(batchId);
  } catch {
    return null;
  }
  if (!uri.startsWith(DATA_JSON)) return null;
  try {
    const meta = JSON.parse(Buffer.from(uri.slice(DATA_JSON.length), "base64").toString("utf8")) as {
      external_url?: unknown;
    };
    return typeof meta.external_url === "string" ? baseUrlFromExternalUrl(meta.external_url, batchId) : null;
  } catch {
    return null;
  }
}

/** The verify page of retirement `id` under `baseUrl`. */
export const retirementVerifyUrl = (baseUrl: string, id: bigint | string): string =>
  `${baseUrl.replace(/\/+$/, "")}/verify/retirements/${String(id)}`;
