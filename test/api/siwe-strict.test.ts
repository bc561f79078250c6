/**
 * Strict identity (issue 18, item 4): EIP-4361 messages parsed exactly by their grammar — the reference
 * implementation's published vectors (test/vectors/siwe) and the registry's own refusals — the message's URI held
 * to the registry's origin, and bearer tokens of exactly two canonical base64url segments.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { Wallet } from "ethers";

import { HttpProblem } from "../../api/src/problem.ts";
import { SiweAuth, type NonceStore } from "../../api/src/siwe.ts";
import { formatSiweMessage, parseSiweMessage, SiweMessageError, type SiweMessage } from "../../sdk/src/siwe.ts";
import { isAuthority, isDateTime, isIPv6, isUri } from "../../sdk/src/rfc3986.ts";

const POSITIVE = JSON.parse(readFileSync("test/vectors/siwe/parsing_positive.json", "utf8")) as Record<
  string,
  { message: string; fields: Record<string, unknown> }
>;
const NEGATIVE = JSON.parse(readFileSync("test/vectors/siwe/parsing_negative.json", "utf8")) as Record<string, string>;

/** A message the registry below accepts, as text, with `edit` applied to its lines. */
const ADDRESS = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
const GOOD: SiweMessage = {
  domain: "registry.example",
  address: ADDRESS,
  statement: "Sign in to the I-TEC Registry",
  uri: "https://registry.example",
  version: "1",
  chainId: 1337,
  nonce: "a1b2c3d4e5f6a7b8",
  issuedAt: "2026-03-01T10:00:00.000Z",
};
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const goodText = (m: Partial<SiweMessage> = {}) => formatSiweMessage({ ...GOOD, ...m });

function refused(text: string): SiweMessageError {
  try {
    parseSiweMessage(text);
  } catch (error) {
    expect(error).to.be.instanceOf(SiweMessageError);
    return error as SiweMessageError;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

describe("parseSiweMessage (EIP-4361)", function () {
  describe("the reference implementation's vectors", function () {
    for (const [name, { message, fields }] of Object.entries(POSITIVE)) {
      it(`accepts: ${name}`, function () {
        const expected = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
        const parsed = Object.fromEntries(Object.entries(parseSiweMessage(message)).filter(([, v]) => v !== undefined));
        expect(parsed).to.deep.equal(expected);
        // And the formatter writes the same text back.
        expect(formatSiweMessage(parsed as unknown as SiweMessage)).to.equal(message);
      });
    }
    for (const [name, message] of Object.entries(NEGATIVE)) {
      it(`refuses: ${name}`, function () {
        refused(message);
      });
    }
  });

  describe("the registry's refusals (issue 18)", function () {
    const lines = (edit: (l: string[]) => string[]) => edit(goodText().split("\n")).join("\n");
    const at = (prefix: string) => (l: string[]) => l.findIndex((x) => x.startsWith(prefix));

    it("reads a chain id of decimal digits only", function () {
      for (const chain of ["0x539", "1337.0", "1337e0", " 1337", "1337 ", "+1337", "-1", "0", "", "１３３７"]) {
        expect(refused(goodText().replace("Chain ID: 1337", `Chain ID: ${chain}`)).message).to.match(
          /Chain ID|Chain ID: …/,
        );
      }
      expect(parseSiweMessage(goodText()).chainId).to.equal(1337);
    });

    it("refuses a duplicate field, whichever comes last", function () {
      for (const field of ["URI: https://evil.example", "Nonce: zzzzzzzzzzzz", "Chain ID: 1", "Version: 1"]) {
        const name = field.split(":")[0]!;
        const error = refused(lines((l) => [...l.slice(0, at(name)(l) + 1), field, ...l.slice(at(name)(l) + 1)]));
        expect(error.message, field).to.match(/repeated or out of order|must be/);
      }
      const twiceAtEnd = `${goodText({ expirationTime: "2026-03-01T11:00:00Z" })}\nExpiration Time: 2099-01-01T00:00:00Z`;
      expect(refused(twiceAtEnd).message).to.match(/'Expiration Time' is repeated or out of order/);
    });

    it("refuses an unknown field, wherever it is", function () {
      expect(refused(`${goodText()}\nFoo: bar`).message).to.match(/unknown field 'Foo'/);
      expect(refused(lines((l) => [...l.slice(0, 6), "Foo: bar", ...l.slice(6)])).message).to.match(/must be/);
      expect(refused(`${goodText()}\n`).message).to.match(/not part of an EIP-4361 message/); // a trailing LF
    });

    it("refuses fields out of order", function () {
      const swapped = lines((l) => {
        const v = at("Version")(l);
        return [...l.slice(0, v), l[v + 1]!, l[v]!, ...l.slice(v + 2)];
      });
      expect(refused(swapped).message).to.match(/must be 'Version: …'/);
      const optional = goodText({ expirationTime: "2026-03-01T11:00:00Z", notBefore: "2026-03-01T09:00:00Z" });
      const reordered = optional.replace(/(Expiration Time: .*)\n(Not Before: .*)/, "$2\n$1");
      expect(refused(reordered).message).to.match(/'Expiration Time' is repeated or out of order/);
    });

    it("refuses CRLF line ends, a missing blank line and dates that are not RFC 3339", function () {
      refused(goodText().replace(/\n/g, "\r\n"));
      expect(refused(goodText({ statement: undefined }).replace("\n\n\n", "\n\n")).message).to.match(
        /empty line is missing/,
      );
      for (const date of ["2026-02-30T10:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01 10:00:00Z", "1772359200"]) {
        refused(goodText({ issuedAt: date }));
      }
    });

    it("accepts the optional scheme before the domain", function () {
      const m = parseSiweMessage(goodText({ scheme: "https" }));
      expect(m).to.include({ scheme: "https", domain: "registry.example" });
      expect(goodText({ scheme: "https" })).to.match(/^https:\/\/registry\.example wants you/);
      refused(goodText({ scheme: "1http" }));
    });
  });

  describe("RFC 3986 and RFC 3339 pieces", function () {
    it("checks URIs, authorities, IPv6 literals and date-times by their grammar", function () {
      for (const ok of ["https://a.example/p?q=1#f", "did:example:123", "urn:isbn:0451450523", "https://[::1]:8080"])
        expect(isUri(ok), ok).to.equal(true);
      for (const no of [
        "",
        ":x",
        "https://a b",
        "https://a.example/%zz",
        "https://[::1",
        "1http://x",
        "https://x/\u00e9",
      ])
        expect(isUri(no), no).to.equal(false);
      expect(isAuthority("user@127.0.0.1:8080")).to.equal(true);
      expect(isAuthority("#notrfc4501")).to.equal(false);
      for (const ok of ["::", "::1", "1::", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8"])
        expect(isIPv6(ok), ok).to.equal(true);
      for (const no of [":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::ffff:256.0.0.1", "1:2:3:4:5:6:7"])
        expect(isIPv6(no), no).to.equal(false);
      expect(isDateTime("2024-02-29T00:00:00+01:00")).to.equal(true);
      expect(isDateTime("2023-02-29T00:00:00Z")).to.equal(false);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// SiweAuth: the message held to this registry, and strict tokens (no chain needed: an EOA's signature).
// ---------------------------------------------------------------------------------------------------------------

function memoryNonces(): NonceStore {
  const nonces = new Map<string, number>();
  return {
    issueNonce: (n, exp) => Promise.resolve(void nonces.set(n, exp)),
    hasNonce: (n, now) => Promise.resolve((nonces.get(n) ?? 0) > now),
    consumeNonce: (n, now) => Promise.resolve((nonces.get(n) ?? 0) > now && nonces.delete(n)),
  };
}

describe("SiweAuth", function () {
  const wallet = Wallet.createRandom();
  const auth = new SiweAuth({
    domain: "registry.example",
    origin: "https://registry.example",
    chainId: 1337n,
    secret: Buffer.alloc(32, 7),
    nonces: memoryNonces(),
    tokenTtlSeconds: 3600,
    nonceTtlSeconds: 600,
    now: () => new Date(),
    hasCode: () => Promise.resolve(false),
    isValidContractSignature: () => Promise.resolve(false),
  });

  async function signIn(m: Partial<SiweMessage>) {
    const { nonce } = await auth.issueNonce();
    const text = goodText({ address: wallet.address, nonce, issuedAt: new Date().toISOString(), ...m });
    return auth.signIn(text, await wallet.signMessage(text));
  }

  async function problem(p: Promise<unknown>): Promise<HttpProblem> {
    try {
      await p;
    } catch (error) {
      expect(error).to.be.instanceOf(HttpProblem);
      return error as HttpProblem;
    }
    throw new Error("accepted");
  }

  describe("signIn", function () {
    it("refuses a URI that is not on the registry's origin", async function () {
      for (const uri of [
        "https://evil.example",
        "http://registry.example",
        "https://registry.example:8443/",
        "https://registry.example.evil.example/",
        "did:example:registry.example",
      ]) {
        const p = await problem(signIn({ uri }));
        expect([p.status, p.code], uri).to.deep.equal([401, "SIWE_URI"]);
        expect(p.message).to.match(/https:\/\/registry\.example/);
      }
      expect((await signIn({ uri: "https://registry.example/app/#/" })).address).to.equal(wallet.address);
    });

    it("accepts the registry's own scheme before the domain, and refuses another", async function () {
      expect((await signIn({ scheme: "https" })).address).to.equal(wallet.address);
      const p = await problem(signIn({ scheme: "http" }));
      expect([p.status, p.code]).to.deep.equal([401, "SIWE_DOMAIN"]);
    });

    it("answers a malformed message 422 SIWE_MALFORMED, naming the fault", async function () {
      const { nonce } = await auth.issueNonce();
      const text = goodText({ address: wallet.address, nonce, issuedAt: new Date().toISOString() }).replace(
        "Chain ID: 1337",
        "Chain ID: 0x539",
      );
      const p = await problem(auth.signIn(text, await wallet.signMessage(text)));
      expect([p.status, p.code, p.message]).to.deep.equal([
        422,
        "SIWE_MALFORMED",
        "Chain ID must be a positive decimal integer (digits only)",
      ]);
    });
  });

  describe("verifyToken", function () {
    it("takes exactly two canonical base64url segments, and nothing else", async function () {
      const { token } = await signIn({});
      expect(auth.verifyToken(`Bearer ${token}`)).to.equal(wallet.address);
      const [payload, mac] = token.split(".") as [string, string];
      const std = (s: string) => Buffer.from(s, "base64url").toString("base64");
      const variants = [
        `${token}!!`,
        `${token}=`,
        `${token}==`,
        `${payload}=.${mac}`,
        `${token}.`,
        `${token}.${mac}`,
        `${std(payload)}.${std(mac)}`,
        `${payload}.${std(mac)}`,
        ` ${token}`,
        `${token} `,
        `${token}\t`,
        `${payload}..${mac}`,
        `${payload}.${mac.slice(0, -1)}${B64URL[B64URL.indexOf(mac.at(-1)!) + 1]}`, // same bytes, non-canonical
        `${payload}.${mac}A`,
        ".",
        "",
      ];
      for (const v of variants) {
        const p = (() => {
          try {
            auth.verifyToken(`Bearer ${v}`);
          } catch (error) {
            return error as HttpProblem;
          }
          throw new Error(`accepted ${JSON.stringify(v)}`);
        })();
        expect([p.status, p.code], JSON.stringify(v)).to.deep.equal([401, "TOKEN_INVALID"]);
      }
      expect(() => auth.verifyToken(`bearer ${token}`)).to.throw(HttpProblem, /Authorization: Bearer/);
    });
  });
});
