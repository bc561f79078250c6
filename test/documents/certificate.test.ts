/**
 * The retirement certificate's links and commands, rendered from a fixed verification (a retirement as the chain
 * reads gave it): the verify link names the registry it is given and is absent when none is known; the `cast` and
 * `curl` commands print — in the HTML and in the PDF — as exactly the runnable command, wrapped only between tokens;
 * organisations and auditing bodies are named; a reversed claim's certificate says REVERSED and who owes the
 * replacement, never "verified". The page itself (layout, fields, QR code) is certificate-page.test.ts.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { id as keccakId, toBeHex, zeroPadValue } from "ethers";
import { PDFParse } from "pdf-parse";

import { retirementVerificationSchema } from "../../api/src/responses.ts";
import type { ChainReads } from "../../core/chain/reads.ts";
import { buildCertificate, type CertificateModel } from "../../core/documents/certificate.ts";
import { certificateReads } from "./certificate-fixture.ts";
import { baseUrlFromExternalUrl, httpBaseUrl } from "../../core/documents/links.ts";
import { certificateHtml, certificatePdf } from "../../core/documents/certificate-render.ts";
import { commandTokens, wrapTokens } from "../../core/documents/wrap.ts";

const fixture = (name: string) =>
  retirementVerificationSchema.parse(
    JSON.parse(readFileSync(new URL(`./fixtures/${name}.verification.json`, import.meta.url), "utf8")),
  );
/** Retirement #1 verified; retirement #2 on the same batch after the batch was reversed. */
const VERIFICATION = fixture("retirement-1");
const REVERSED = fixture("retirement-2.reversed");
const REGISTRY = VERIFICATION.chain.registry;
/** Long enough that the commands wrap over several lines in the PDF too. */
const RPC_URL = "https://rpc.registry-operator.example:8545/v1/itec-mainnet-archive-node";

const readsOf = (v: unknown): ChainReads => certificateReads(v);
const certificate = (verifyBaseUrl: string | null) =>
  buildCertificate(readsOf(VERIFICATION), 1n, { verifyBaseUrl, rpcUrl: RPC_URL });

/** The runnable commands, spelled out independently of the code under test. */
const CAST = `cast call ${REGISTRY} "retirement(uint256)(address,uint40,uint8,uint32,uint16,address,uint32,uint32,uint32,bytes32)" 1 --rpc-url ${RPC_URL}`;
const CAST_STATUS = `cast call ${REGISTRY} "claimStatus(uint256)(uint8,uint256)" 1 --rpc-url ${RPC_URL}`;
const CALLDATA = keccakId("retirement(uint256)").slice(0, 10) + zeroPadValue(toBeHex(1), 32).slice(2);

const normalise = (s: string) => s.replace(/\s+/g, " ").trim();
const unescape = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

async function pdfText(bytes: Buffer, pages = 1): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    expect(result.total, "pages").to.equal(pages);
    return normalise(result.text);
  } finally {
    await parser.destroy();
  }
}

describe("Retirement certificate", function () {
  let m: CertificateModel;
  before(async () => {
    m = await certificate("https://registry.example:8443/itec/");
  });

  describe("howToVerify", function () {
    it("links the verify page under the base URL it is given", function () {
      expect(m.howToVerify.url).to.equal("https://registry.example:8443/itec/verify/retirements/1");
    });

    it("gives cast commands (the claim, its status) and a curl command that run as printed", function () {
      expect(m.howToVerify.cast).to.equal(CAST);
      expect(m.howToVerify.castStatus).to.equal(CAST_STATUS);
      const curl = /^curl -s (\S+) -H content-type:application\/json --data '([^']+)'$/.exec(m.howToVerify.jsonRpc);
      expect(curl, m.howToVerify.jsonRpc).to.not.equal(null);
      expect(curl![1]).to.equal(RPC_URL);
      expect(JSON.parse(curl![2]!)).to.deep.equal({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_call",
        params: [{ to: REGISTRY, data: CALLDATA }, "latest"],
      });
    });
  });

  describe("certificateHtml", function () {
    it("renders each command so that its text, whitespace normalised, is exactly the runnable command", function () {
      const html = certificateHtml(m);
      const commands = [...html.matchAll(/<code class="cmd">(.*?)<\/code>/gs)].map((x) => x[1]!);
      expect(commands).to.have.length(3);
      const text = commands.map((c) => normalise(unescape(c.replace(/<[^>]+>/g, ""))));
      expect(text).to.deep.equal([m.howToVerify.cast, m.howToVerify.castStatus, m.howToVerify.jsonRpc]);
      expect(text[0]).to.equal(CAST);
    });

    it("makes each token of a command one piece, with the line's only break opportunities between them", function () {
      const html = certificateHtml(m);
      const [cast, status, curl] = [...html.matchAll(/<code class="cmd">(.*?)<\/code>/gs)].map((x) => x[1]!);
      for (const [rendered, command] of [
        [cast!, m.howToVerify.cast],
        [status!, m.howToVerify.castStatus],
        [curl!, m.howToVerify.jsonRpc],
      ] as const) {
        // Nothing but single spaces between the pieces, and each piece exactly one token.
        expect(rendered.replace(/<span class="t"[^>]*>[^<]*<\/span>/g, "X")).to.match(/^X( X)*$/);
        const pieces = [...rendered.matchAll(/<span class="t"[^>]*>([^<]*)<\/span>/g)].map((x) => unescape(x[1]!));
        expect(pieces).to.deep.equal(commandTokens(command));
        expect(pieces.join(" ")).to.equal(command);
      }
      // Never broken inside: a token too wide for the line is scaled down to the command box's width instead.
      expect(html).to.match(/\.cmd \.t\{display:inline-block;white-space:nowrap;overflow-wrap:normal/);
      expect(html).to.include('style="font-size:min(1em,calc(100cqw / 58.28))"'); // the 94-character signature
    });

    it("links the verify page, or says to ask the chain when no registry URL is known", async function () {
      expect(certificateHtml(m)).to.include(
        '<a href="https://registry.example:8443/itec/verify/retirements/1">https://registry.example:8443/itec/verify/retirements/1</a>',
      );
      const unlinked = await certificate(null);
      expect(unlinked.howToVerify.url).to.equal(null);
      const html = certificateHtml(unlinked);
      expect(html).not.to.include("/verify/retirements/");
      expect(html).not.to.include("<a ");
      expect(html).to.include("<p>Ask any node of the chain (no public URL of the registry is known):</p>");
    });
  });

  describe("names and claim status", function () {
    it("names the holder, the batch's owner and each auditor's body, with their addresses", function () {
      const html = unescape(certificateHtml(m));
      expect(html).to.include("Verified — rests on batch #1, where it was retired");
      expect(html).to.include(
        "<th>Retired by (holder)</th><td>Acme Corporation (0x976EA74026E726554dB657fA54763abd0C3a0aa9)",
      );
      expect(html).to.include("<th>Owner at issuance</th><td>Refurb Co (0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc)");
      expect(html).to.include(
        "<th>Auditors</th><td>Audit Body A (auditor 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC)<br>" +
          "Audit Body B (auditor 0x90F79bf6EB2c4f870365E785982E1f101E93b906)</td>",
      );
      expect(html).to.include(`<b>${VERIFICATION.summary}</b>`);
      expect(html).to.include("border-left-color:#196f3d");
    });

    it("a reversed claim's certificate says REVERSED, who owes the replacement and why, and never 'verified'", async function () {
      const reversed = await buildCertificate(readsOf(REVERSED), 2n, { verifyBaseUrl: null, rpcUrl: RPC_URL });
      expect(reversed).to.deep.include({ verified: false, verdict: "reversed" });
      const html = unescape(certificateHtml(reversed));
      expect(html).to.include(
        "<th>Claim status</th><td>REVERSED — batch #1 was found wrong and reversed; the claim is not valid until " +
          "replaced (replacement owed by Refurb Co (0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc))",
      );
      expect(html).to.include("<b>Retirement #2 is REVERSED: ");
      expect(html).to.include("reason: “devices counted twice (audit finding 2026-12)”");
      expect(html).to.include("Devices certified</th><td>12 (retired 5, cancelled 7)");
      expect(html).to.include("border-left-color:#b03a2e");
      expect(html).to.include("✗ claim not reversed");
      expect(html).not.to.match(/is verified|Verified —/);
      const text = await pdfText(await certificatePdf(reversed));
      expect(text).to.include("Retirement #2 is REVERSED:");
      expect(text).to.include("replacement owed by Refurb Co");
      expect(text).not.to.match(/is verified|Verified on-chain/);
    });
  });

  describe("certificatePdf", function () {
    it("prints each command whole: wrapped only between tokens, so its extracted text is the runnable command", async function () {
      const text = await pdfText(await certificatePdf(m));
      expect(text).to.include(
        "Open https://registry.example:8443/itec/verify/retirements/1 (the QR code), or ask any node of the chain:",
      );
      expect(text).to.include(CAST);
      expect(text).to.include(CAST_STATUS);
      expect(text).to.include(m.howToVerify.jsonRpc);
      expect(text).to.include(
        "Retirement #1 is verified: 5 I-TEC (laptop) retired for Acme Corporation from batch #1.",
      );
      expect(text).to.include("Audit Body A (auditor 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC)");
    });

    it("has no verify link when no registry URL is known", async function () {
      const text = await pdfText(await certificatePdf(await certificate(null)));
      expect(text).not.to.include("/verify/retirements/");
      expect(text).not.to.include("QR code");
      expect(text).to.include(`Ask any node of the chain (no public URL of the registry is known): ${CAST}`);
    });
  });
});

describe("wrapTokens", function () {
  const measure = (s: string) => s.length; // one unit per character, as in a monospaced font
  const texts = (lines: { text: string }[]) => lines.map((l) => l.text);

  it("ends lines only between tokens, filling each line as far as it goes", function () {
    const text = "cast call 0x5FbDB2315678 --rpc-url http://127.0.0.1:8545";
    const lines = wrapTokens(text, { first: 20, rest: 18 }, measure);
    expect(lines).to.deep.equal([
      { text: "cast call", scale: 1 },
      { text: "0x5FbDB2315678", scale: 1 },
      { text: "--rpc-url", scale: 1 },
      { text: "http://127.0.0.1:8545", scale: 18 / 21 },
    ]);
  });

  it("never cuts a token: one wider than a line stands alone on it, scaled to fit", function () {
    const text = "a --rpc-url bb 0123456789abcdef0123 c";
    const lines = wrapTokens(text, { first: 12, rest: 12 }, measure);
    expect(texts(lines)).to.deep.equal(["a --rpc-url", "bb", "0123456789abcdef0123", "c"]);
    expect(lines.map((l) => l.scale)).to.deep.equal([1, 1, 12 / 20, 1]);
    for (const l of lines) expect(measure(l.text) * l.scale).to.be.at.most(12);
    expect(texts(lines).join(" ")).to.equal(text);
  });

  it("gives back the text, whitespace normalised", function () {
    const text = "curl -s  http://x -H content-type:application/json --data '{\"a\": 1}'";
    const lines = wrapTokens(text, { first: 40, rest: 36 }, measure);
    expect(texts(lines).join(" ")).to.equal(normalise(text));
    expect(lines.length).to.be.greaterThan(1);
  });
});

describe("Verify links (links.ts)", function () {
  describe("baseUrlFromExternalUrl", function () {
    it("reads the registry's base URL from a batch's on-chain external_url", function () {
      expect(baseUrlFromExternalUrl("http://127.0.0.1:38180/verify/batches/7", 7n)).to.equal("http://127.0.0.1:38180");
      expect(baseUrlFromExternalUrl("https://registry.example/itec/batches/12", "12")).to.equal(
        "https://registry.example/itec",
      );
    });

    it("gives null for any other shape, another id, or a non-http URL", function () {
      expect(baseUrlFromExternalUrl("https://registry.example/token/7", 7n)).to.equal(null);
      expect(baseUrlFromExternalUrl("https://registry.example/batches/17", 7n)).to.equal(null);
      expect(baseUrlFromExternalUrl("ipfs://bafy/batches/7", 7n)).to.equal(null);
      expect(baseUrlFromExternalUrl("7", 7n)).to.equal(null);
      expect(baseUrlFromExternalUrl("/batches/7", 7n)).to.equal(null);
    });
  });

  describe("httpBaseUrl", function () {
    it("accepts an absolute http(s) URL, without its trailing slash", function () {
      expect(httpBaseUrl("https://registry.example/")).to.equal("https://registry.example");
      expect(httpBaseUrl("http://127.0.0.1:9000/itec/")).to.equal("http://127.0.0.1:9000/itec");
    });

    it("refuses other schemes, relative URLs, queries and credentials", function () {
      for (const bad of ["ftp://x", "registry.example", "/verify", "https://x/?a=1", "https://u:p@x", ""]) {
        expect(httpBaseUrl(bad), bad).to.equal(null);
      }
    });
  });
});
