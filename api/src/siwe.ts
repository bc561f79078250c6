/**
 * Sign-In with Ethereum (EIP-4361): the message format, its parser and its checks. The API issues a nonce,
 * the wallet signs the message (EIP-191 personal_sign), the API verifies it — ECDSA, or ERC-1271 for a contract
 * wallet — and issues a short-lived token. Roles are always read from the chain, never from the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import { getAddress, hashMessage, isAddress, recoverAddress } from "ethers";

import { HttpProblem } from "./problem.ts";

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

/** Parses an EIP-4361 message; throws a 422 problem naming what is wrong. */
export function parseSiweMessage(text: string): SiweMessage {
  const bad = (detail: string) =>
    new HttpProblem(422, "SIWE_MALFORMED", "Malformed sign-in message", detail, {
      errors: [{ pointer: "/body/message", detail }],
    });
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

export interface SiweOptions {
  /** The host the message must name (e.g. "127.0.0.1:8080" or "registry.example"). */
  domain: string;
  chainId: bigint;
  /** HMAC key for tokens (random per process unless configured). */
  secret: Buffer;
  tokenTtlSeconds: number;
  nonceTtlSeconds: number;
  now: () => Date;
  /** ERC-1271 check for contract wallets (eth_call isValidSignature). */
  isValidContractSignature: (account: string, digest: string, signature: string) => Promise<boolean>;
  hasCode: (account: string) => Promise<boolean>;
}

/** Nonces, message verification and tokens. Nonces are single-use and expire; tokens are HMAC-signed. */
export class SiweAuth {
  readonly #options: SiweOptions;
  readonly #nonces = new Map<string, number>();

  constructor(options: SiweOptions) {
    this.#options = options;
  }

  issueNonce(): { nonce: string; expiresAt: string } {
    const now = this.#options.now().getTime();
    for (const [n, exp] of this.#nonces) if (exp < now) this.#nonces.delete(n);
    const nonce = randomBytes(12).toString("hex");
    const exp = now + this.#options.nonceTtlSeconds * 1000;
    this.#nonces.set(nonce, exp);
    return { nonce, expiresAt: new Date(exp).toISOString() };
  }

  /** Verifies a signed message and returns a bearer token for its address. */
  async signIn(messageText: string, signature: string): Promise<{ token: string; address: string; expiresAt: string }> {
    const m = parseSiweMessage(messageText);
    const o = this.#options;
    const now = o.now().getTime();
    const refuse = (code: string, detail: string) => new HttpProblem(401, code, "Sign-in refused", detail);
    if (m.domain !== o.domain)
      throw refuse("SIWE_DOMAIN", `the message is for ${m.domain}, this registry is ${o.domain}`);
    if (BigInt(m.chainId) !== o.chainId)
      throw refuse("SIWE_CHAIN", `the message is for chain ${m.chainId}, the registry runs on ${o.chainId}`);
    if (m.expirationTime && Date.parse(m.expirationTime) <= now)
      throw refuse("SIWE_EXPIRED", "the message has expired");
    if (m.notBefore && Date.parse(m.notBefore) > now)
      throw refuse("SIWE_NOT_YET_VALID", "the message is not valid yet");
    if (Math.abs(Date.parse(m.issuedAt) - now) > o.nonceTtlSeconds * 1000) {
      throw refuse("SIWE_STALE", "Issued At is too far from the server's time");
    }
    const nonceExp = this.#nonces.get(m.nonce);
    if (nonceExp === undefined || nonceExp < now)
      throw refuse("SIWE_NONCE", "unknown, used or expired nonce: ask for a new one");
    const digest = hashMessage(messageText);
    let valid = false;
    try {
      valid = recoverAddress(digest, signature) === m.address;
    } catch {
      valid = false;
    }
    if (!valid && (await o.hasCode(m.address))) valid = await o.isValidContractSignature(m.address, digest, signature);
    if (!valid) throw refuse("SIWE_SIGNATURE", `the signature is not ${m.address}'s`);
    this.#nonces.delete(m.nonce); // single use, also on success
    const exp = Math.floor(now / 1000) + o.tokenTtlSeconds;
    return {
      token: this.#sign({ sub: m.address, exp }),
      address: m.address,
      expiresAt: new Date(exp * 1000).toISOString(),
    };
  }

  /** The address a bearer token was issued to; throws 401 when missing, forged or expired. */
  verifyToken(header: string | undefined): string {
    const missing = () =>
      new HttpProblem(
        401,
        "UNAUTHENTICATED",
        "Authentication required",
        "send 'Authorization: Bearer <token>' from POST /auth/siwe",
      );
    if (!header?.startsWith("Bearer ")) throw missing();
    const token = header.slice(7).trim();
    const [payload, mac] = token.split(".");
    if (!payload || !mac) throw missing();
    const expected = this.#mac(payload);
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpProblem(401, "TOKEN_INVALID", "Authentication required", "the token is not valid");
    }
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub: string; exp: number };
    if (claims.exp * 1000 <= this.#options.now().getTime()) {
      throw new HttpProblem(401, "TOKEN_EXPIRED", "Authentication required", "the token has expired: sign in again");
    }
    return claims.sub;
  }

  #sign(claims: { sub: string; exp: number }): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${payload}.${this.#mac(payload).toString("base64url")}`;
  }

  #mac(payload: string): Buffer {
    return createHmac("sha256", this.#options.secret).update(payload).digest();
  }
}
