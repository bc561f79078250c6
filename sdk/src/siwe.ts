/**
 * Sign-In with Ethereum (EIP-4361) messages: the text format and its parser, shared by the API (which checks
 * them) and its clients (which build them).
 */
import { getAddress, isAddress } from "ethers";
import { CodedError } from "./errors.ts";

/** A message that is not valid EIP-4361 text. */
export class SiweMessageError extends CodedError<"SIWE_MALFORMED"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIWE_MALFORMED", message, options);
  }
}

export interface SiweMessage {
  domain: string;
  address: string;
  statement?: string | undefined;
  uri: string;
  version: "1";
  chainId: number;
  nonce: string;
  issuedAt: string;
  expirationTime?: string | undefined;
  notBefore?: string | undefined;
  requestId?: string | undefined;
  resources?: string[] | undefined;
}

/** Builds the EIP-4361 text of a message. */
export function formatSiweMessage(m: SiweMessage): string {
  const lines = [`${m.domain} wants you to sign in with your Ethereum account:`, m.address, ""];
  if (m.statement) lines.push(m.statement, "");
  lines.push(
    `URI: ${m.uri}`,
    `Version: ${m.version}`,
    `Chain ID: ${m.chainId}`,
    `Nonce: ${m.nonce}`,
    `Issued At: ${m.issuedAt}`,
  );
  if (m.expirationTime) lines.push(`Expiration Time: ${m.expirationTime}`);
  if (m.notBefore) lines.push(`Not Before: ${m.notBefore}`);
  if (m.requestId) lines.push(`Request ID: ${m.requestId}`);
  if (m.resources?.length) lines.push("Resources:", ...m.resources.map((r) => `- ${r}`));
  return lines.join("\n");
}

const HEADER = / wants you to sign in with your Ethereum account:$/;

/** Parses an EIP-4361 message; throws SiweMessageError naming what is wrong. */
export function parseSiweMessage(text: string): SiweMessage {
  const bad = (detail: string) => new SiweMessageError(detail);
  const lines = text.split("\n");
  const header = lines[0] ?? "";
  if (!HEADER.test(header))
    throw bad("the first line must be '<domain> wants you to sign in with your Ethereum account:'");
  const domain = header.replace(HEADER, "");
  const address = lines[1] ?? "";
  if (!isAddress(address) || getAddress(address) !== address) throw bad("line 2 must be an EIP-55 checksummed address");
  let i = 2;
  if (lines[i] !== "") throw bad("line 3 must be empty");
  i++;
  let statement: string | undefined;
  if (lines[i] !== undefined && !lines[i]!.startsWith("URI: ")) {
    statement = lines[i];
    i++;
    if (lines[i] !== "") throw bad("the statement must be followed by an empty line");
    i++;
  }
  const fields: Record<string, string> = {};
  let resources: string[] | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "Resources:") {
      resources = lines.slice(i + 1).map((r) => {
        if (!r.startsWith("- ")) throw bad("each resource line must start with '- '");
        return r.slice(2);
      });
      break;
    }
    const m = /^([A-Za-z ]+): (.*)$/.exec(line);
    if (!m) throw bad(`cannot read line ${i + 1}: '${line.slice(0, 60)}'`);
    fields[m[1]!] = m[2]!;
  }
  const need = (k: string) => {
    const v = fields[k];
    if (v === undefined) throw bad(`missing '${k}:'`);
    return v;
  };
  if (need("Version") !== "1") throw bad("Version must be 1");
  const chainId = Number(need("Chain ID"));
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw bad("Chain ID must be a positive integer");
  const nonce = need("Nonce");
  if (!/^[A-Za-z0-9]{8,}$/.test(nonce)) throw bad("Nonce must be at least 8 alphanumeric characters");
  for (const k of ["Issued At", "Expiration Time", "Not Before"]) {
    if (fields[k] !== undefined && Number.isNaN(Date.parse(fields[k]))) throw bad(`${k} must be an ISO-8601 date-time`);
  }
  return {
    domain,
    address,
    statement,
    uri: need("URI"),
    version: "1",
    chainId,
    nonce,
    issuedAt: need("Issued At"),
    expirationTime: fields["Expiration Time"],
    notBefore: fields["Not Before"],
    requestId: fields["Request ID"],
    resources,
  };
}
