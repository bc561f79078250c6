/**
 * Sign-In with Ethereum (EIP-4361) messages: the text format and its parser, shared by the API (which checks
 * them) and its clients (which build them).
 */
import { getAddress } from "ethers";

import { CodedError } from "./errors.ts";
import { isAuthority, isDateTime, isPchars, isScheme, isStatementText, isUri } from "./rfc3986.ts";

/** A message that is not valid EIP-4361 text. */
export class SiweMessageError extends CodedError<"SIWE_MALFORMED"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIWE_MALFORMED", message, options);
  }
}

export interface SiweMessage {
  /** The optional scheme before the domain (`https` in `https://example.com wants you to sign in…`). */
  scheme?: string | undefined;
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

const HEADER_SUFFIX = " wants you to sign in with your Ethereum account:";

/** Builds the EIP-4361 text of a message (an empty statement is left out, as the grammar cannot tell it apart). */
export function formatSiweMessage(m: SiweMessage): string {
  const lines = [`${m.scheme ? `${m.scheme}://` : ""}${m.domain}${HEADER_SUFFIX}`, m.address, ""];
  if (m.statement) lines.push(m.statement);
  lines.push(
    "",
    `URI: ${m.uri}`,
    `Version: ${m.version}`,
    `Chain ID: ${m.chainId}`,
    `Nonce: ${m.nonce}`,
    `Issued At: ${m.issuedAt}`,
  );
  if (m.expirationTime) lines.push(`Expiration Time: ${m.expirationTime}`);
  if (m.notBefore) lines.push(`Not Before: ${m.notBefore}`);
  if (m.requestId !== undefined) lines.push(`Request ID: ${m.requestId}`);
  if (m.resources) lines.push("Resources:", ...m.resources.map((r) => `- ${r}`));
  return lines.join("\n");
}

/** The fields after the statement, in the only order the grammar allows (the last four optional). */
const FIELDS = ["URI", "Version", "Chain ID", "Nonce", "Issued At", "Expiration Time", "Not Before", "Request ID"];

/**
 * Parses an EIP-4361 message exactly as its ABNF reads: LF line ends, the optional `scheme://` before an RFC 3986
 * authority, an EIP-55 address, a statement of RFC 3986 reserved/unreserved characters and spaces, then each field
 * once, in order — a duplicate, unknown or out-of-order field, a chain id other than decimal digits, a URI or date
 * off its RFC's grammar, or anything after the last field is refused. Throws SiweMessageError naming the fault.
 */
export function parseSiweMessage(text: string): SiweMessage {
  const bad = (detail: string) => new SiweMessageError(detail);
  const lines = text.split("\n");
  const header = lines[0]!;
  if (!header.endsWith(HEADER_SUFFIX)) {
    throw bad("the first line must be '[scheme://]<domain> wants you to sign in with your Ethereum account:'");
  }
  let domain = header.slice(0, -HEADER_SUFFIX.length);
  let scheme: string | undefined;
  const sep = domain.indexOf("://");
  if (sep >= 0) {
    scheme = domain.slice(0, sep);
    domain = domain.slice(sep + 3);
    if (!isScheme(scheme)) throw bad("the scheme before the domain is not an RFC 3986 scheme");
  }
  if (domain === "" || !isAuthority(domain)) throw bad("the domain must be an RFC 3986 authority (host[:port])");
  const address = lines[1] ?? "";
  if (!/^0x[0-9A-Fa-f]{40}$/.test(address) || getAddress(address) !== address) {
    throw bad("line 2 must be an EIP-55 checksummed address");
  }
  if (lines[2] !== "") throw bad("line 3 must be empty");
  let i = 3;
  let statement: string | undefined;
  if (lines[i] !== "") {
    statement = lines[i] ?? "";
    if (statement.startsWith("URI: ")) {
      throw bad("an empty line is missing before 'URI:' (without a statement, EIP-4361 has two empty lines there)");
    }
    if (statement === "" || !isStatementText(statement)) {
      throw bad("the statement must be one line of RFC 3986 reserved or unreserved characters and spaces");
    }
    i++;
  }
  if (lines[i] !== "") throw bad(`line ${i + 1} must be empty (after the ${statement ? "statement" : "address"})`);
  i++;
  const values = new Map<string, string>();
  for (const [n, name] of FIELDS.entries()) {
    const line = lines[i];
    if (line?.startsWith(`${name}: `)) {
      values.set(name, line.slice(name.length + 2));
      i++;
    } else if (n < 5) {
      throw bad(`line ${i + 1} must be '${name}: …' (fields come once each, in the order of EIP-4361)`);
    }
  }
  let resources: string[] | undefined;
  if (lines[i] === "Resources:") {
    resources = [];
    for (i++; i < lines.length && lines[i]!.startsWith("- "); i++) resources.push(lines[i]!.slice(2));
  }
  if (i < lines.length) {
    const name = /^([A-Za-z ]+):/.exec(lines[i]!)?.[1];
    throw bad(
      name && (FIELDS.includes(name) || name === "Resources")
        ? `'${name}' is repeated or out of order (fields come once each, in the order of EIP-4361)`
        : `line ${i + 1} is not part of an EIP-4361 message${name ? ` (unknown field '${name}')` : ""}`,
    );
  }
  const uri = values.get("URI")!;
  if (!isUri(uri)) throw bad("URI must be an RFC 3986 URI");
  if (values.get("Version") !== "1") throw bad("Version must be 1");
  const chainText = values.get("Chain ID")!;
  const chainId = Number(chainText);
  if (!/^[0-9]+$/.test(chainText) || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw bad("Chain ID must be a positive decimal integer (digits only)");
  }
  const nonce = values.get("Nonce")!;
  if (!/^[A-Za-z0-9]{8,}$/.test(nonce)) throw bad("Nonce must be at least 8 alphanumeric characters");
  for (const k of ["Issued At", "Expiration Time", "Not Before"]) {
    const v = values.get(k);
    if (v !== undefined && !isDateTime(v)) throw bad(`${k} must be an RFC 3339 date-time`);
  }
  const requestId = values.get("Request ID");
  if (requestId !== undefined && !isPchars(requestId)) throw bad("Request ID must be RFC 3986 path characters");
  const badResource = resources?.findIndex((r) => !isUri(r)) ?? -1;
  if (badResource >= 0) throw bad(`resource ${badResource + 1} must be an RFC 3986 URI`);
  return {
    ...(scheme !== undefined ? { scheme } : {}),
    domain,
    address,
    statement,
    uri,
    version: "1",
    chainId,
    nonce,
    issuedAt: values.get("Issued At")!,
    expirationTime: values.get("Expiration Time"),
    notBefore: values.get("Not Before"),
    requestId,
    resources,
  };
}
