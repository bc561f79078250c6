/**
 * Sign-In with Ethereum (EIP-4361): the message format, its parser and its checks. The API issues a nonce,
 * the wallet signs the message (EIP-191 personal_sign), the API verifies it — ECDSA, or ERC-1271 for a contract
 * wallet — and issues a short-lived token. Roles are always read from the chain, never from the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import { hashMessage, recoverAddress } from "ethers";

import { parseSiweMessage, SiweMessageError } from "../../sdk/src/siwe.ts";
import { HttpProblem, type ProblemCode } from "./problem.ts";

export { formatSiweMessage, parseSiweMessage, type SiweMessage } from "../../sdk/src/siwe.ts";

export interface SiweOptions {
  /** The host the message must name (e.g. "127.0.0.1:8080" or "registry.example"). */
  domain: string;
  /**
   * The registry's public origin (e.g. "https://registry.example"): the message's `URI` must be on it, and an
   * optional scheme before the domain must be its scheme. Default: `http://` + domain.
   */
  origin?: string | undefined;
  chainId: bigint;
  /**
   * HMAC key for tokens (random per process unless configured). Every instance behind one balancer needs the
   * same key, or a token from one is refused by the others.
   */
  secret: Buffer;
  /** Where nonces live: the API store every instance shares, so a nonce from one instance signs in at another. */
  nonces: NonceStore;
  tokenTtlSeconds: number;
  nonceTtlSeconds: number;
  now: () => Date;
  /** ERC-1271 check for contract wallets (eth_call isValidSignature). */
  isValidContractSignature: (account: string, digest: string, signature: string) => Promise<boolean>;
  hasCode: (account: string) => Promise<boolean>;
}

/** The nonces' shared store (ApiStore): issue, look up, and consume atomically (true for exactly one caller). */
export interface NonceStore {
  issueNonce(nonce: string, expiresAt: number, now: number): Promise<void>;
  hasNonce(nonce: string, now: number): Promise<boolean>;
  consumeNonce(nonce: string, now: number): Promise<boolean>;
}

/** A bearer token: `<payload>.<mac>`, both unpadded base64url. */
const TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** True when `uri` is an http(s) URL on `origin` (scheme, host and port the same). */
function onOrigin(uri: string, origin: string): boolean {
  try {
    return URL.canParse(uri) && new URL(uri).origin === origin;
  } catch {
    return false;
  }
}

/** Nonces, message verification and tokens. Nonces are single-use and expire; tokens are HMAC-signed. */
export class SiweAuth {
  readonly #options: SiweOptions;

  constructor(options: SiweOptions) {
    this.#options = options;
  }

  async issueNonce(): Promise<{ nonce: string; expiresAt: string }> {
    const now = this.#options.now().getTime();
    const nonce = randomBytes(12).toString("hex");
    const exp = now + this.#options.nonceTtlSeconds * 1000;
    await this.#options.nonces.issueNonce(nonce, exp, now);
    return { nonce, expiresAt: new Date(exp).toISOString() };
  }

  /** Verifies a signed message and returns a bearer token for its address. */
  async signIn(messageText: string, signature: string): Promise<{ token: string; address: string; expiresAt: string }> {
    let m;
    try {
      m = parseSiweMessage(messageText);
    } catch (error) {
      if (!(error instanceof SiweMessageError)) throw error;
      throw new HttpProblem(422, "SIWE_MALFORMED", "Malformed sign-in message", error.message, {
        errors: [{ pointer: "/body/message", detail: error.message }],
      });
    }
    const o = this.#options;
    const now = o.now().getTime();
    const refuse = (code: ProblemCode, detail: string) => new HttpProblem(401, code, "Sign-in refused", detail);
    const origin = new URL(o.origin ?? `http://${o.domain}`);
    if (m.domain !== o.domain || (m.scheme !== undefined && `${m.scheme}:` !== origin.protocol)) {
      const named = `${m.scheme !== undefined ? `${m.scheme}://` : ""}${m.domain}`;
      throw refuse("SIWE_DOMAIN", `the message is for ${named}, this registry is ${origin.origin}`);
    }
    if (!onOrigin(m.uri, origin.origin)) {
      throw refuse(
        "SIWE_URI",
        `the message's URI must be on this registry's origin ${origin.origin} (GET /auth/nonce names it)`,
      );
    }
    if (BigInt(m.chainId) !== o.chainId)
      throw refuse("SIWE_CHAIN", `the message is for chain ${m.chainId}, the registry runs on ${o.chainId}`);
    if (m.expirationTime && Date.parse(m.expirationTime) <= now)
      throw refuse("SIWE_EXPIRED", "the message has expired");
    if (m.notBefore && Date.parse(m.notBefore) > now)
      throw refuse("SIWE_NOT_YET_VALID", "the message is not valid yet");
    if (Math.abs(Date.parse(m.issuedAt) - now) > o.nonceTtlSeconds * 1000) {
      throw refuse("SIWE_STALE", "Issued At is too far from the server's time");
    }
    const usedNonce = () => refuse("SIWE_NONCE", "unknown, used or expired nonce: ask for a new one");
    // A look first, so a refused signature leaves the nonce usable; the consume below is what decides.
    if (!(await o.nonces.hasNonce(m.nonce, now))) throw usedNonce();
    const digest = hashMessage(messageText);
    let valid: boolean;
    try {
      valid = recoverAddress(digest, signature) === m.address;
    } catch {
      valid = false;
    }
    if (!valid && (await o.hasCode(m.address))) valid = await o.isValidContractSignature(m.address, digest, signature);
    if (!valid) throw refuse("SIWE_SIGNATURE", `the signature is not ${m.address}'s`);
    // Single use across every instance: of concurrent sign-ins with this nonce exactly one deletes it.
    if (!(await o.nonces.consumeNonce(m.nonce, now))) throw usedNonce();
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
    const invalid = () =>
      new HttpProblem(401, "TOKEN_INVALID", "Authentication required", "the token is not valid: sign in again");
    // Exactly two canonical base64url segments: no padding, no `+`/`/`, no third segment, nothing after.
    const token = TOKEN.exec(header.slice(7));
    if (!token) throw invalid();
    const [, payload, mac] = token as unknown as [string, string, string];
    const expected = this.#mac(payload);
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || given.toString("base64url") !== mac || !timingSafeEqual(given, expected)) {
      throw invalid();
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
