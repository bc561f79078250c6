/**
 * The retirement certificate's links, rendered from a fixed verification (a retirement as the chain reads gave it):
 * the verify link names the registry it is given and is absent when none is known.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { PDFParse } from "pdf-parse";

import type { ChainReads } from "../../oracle/src/chain/reads.ts";
import { buildCertificate, type CertificateModel } from "../../oracle/src/reports/certificate.ts";
import { baseUrlFromExternalUrl, httpBaseUrl } from "../../oracle/src/reports/links.ts";
import { certificateHtml, certificatePdf } from "../../oracle/src/reports/render.ts";

const VERIFICATION = JSON.parse(
  readFileSync(new URL("fixtures/retirement-1.verification.json", import.meta.url), "utf8"),
) as { chain: { registry: string } };
const REGISTRY = VERIFICATION.chain.registry;
const RPC_URL = "https://rpc.registry-operator.example:8545/v1/itec-mainnet-archive-node";

const reads = { verifyRetirement: () => Promise.resolve(VERIFICATION) } as unknown as ChainReads;
const certificate = (verifyBaseUrl: string | null) => buildCertificate(reads, 1n, { verifyBaseUrl, rpcUrl: RPC_URL });

const normalise = (s: string) => s.replace(/\s+/g, " ").trim();
async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return normalise((await parser.getText()).text);
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
  });

  describe("certificateHtml", function () {
    it("links the verify page, or says to ask the chain when no registry URL is known", async function () {
      expect(certificateHtml(m)).to.include(
        '<a href="https://registry.example:8443/itec/verify/retirements/1">https://registry.example:8443/itec/verify/retirements/1</a>',
      );
      const unlinked = await certificate(null);
      expect(unlinked.howToVerify.url).to.equal(null);
      const html = certificateHtml(unlinked);
      expect(html).not.to.include("/verify/retirements/");
      expect(html).not.to.include("<a ");
      expect(html).to.include("<p>Ask any node of the chain:</p>");
    });
  });

  describe("certificatePdf", function () {
    it("links the verify page under the base URL it is given", async function () {
      const text = await pdfText(await certificatePdf(m));
      expect(text).to.include("Verify page: https://registry.example:8443/itec/verify/retirements/1");
    });

    it("has no verify link when no registry URL is known", async function () {
      const text = await pdfText(await certificatePdf(await certificate(null)));
      expect(text).not.to.include("Verify page");
      expect(text).not.to.include("/verify/retirements/");
      expect(text).to.include("Ask any node of the chain: cast call");
    });
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
