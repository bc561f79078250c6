/**
 * What the web app reads from the API (issue 15): the chain for the wallet (GET /network), the reference data
 * (GET /reference-data, /reference-data/info) with which the browser's calculation gives the oracle's figures for a
 * submitted lot, the participant search by organisation name, and the auditor's queue (GET /reviews).
 */

import { expect } from "chai";
import request from "supertest";

import { createApp } from "../../api/src/app.ts";
import { chainNameOf } from "../../api/src/routes/network.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";


describe("API for the web app: network", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  const auth = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });

  before(async () => {
    h = await startApiHarness();
    for (const role of ["refurbisher", "corporate", "auditor1", "auditor2"] as const) {
      tokens[role] = await h.signIn(h.deployed.wallet(role));
    }
  });
  after(async () => {
    await h?.close();
  });

  describe("GET /network", () => {
    it("names the chain, the registry and the RPC URL a browser wallet adds", async () => {
      const res = await h.http.get("/network").expect(200);
      expect(res.body).to.deep.equal({
        chainId: "1337",
        chainName: "I-TEC Registry (dev)",
        registry: h.deployed.address,
        deployBlock: 0,
        // ITEC_PUBLIC_RPC_URL is unset here: the API's own ITEC_RPC_URL.
        rpcUrl: h.chain.url,
        dev: true,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      });
    });

    it("answers the configured name, public RPC URL and deploy block", async () => {
      const { reads } = h.api.deps;
      const app = createApp({
        ...h.api.deps,
        chainName: "ACME Registry",
        publicRpcUrl: "https://rpc.example/",
        reads: Object.assign(Object.create(Object.getPrototypeOf(reads) as object) as typeof reads, reads, {
          fromBlock: 17,
        }),
      });
      const res = await request(app).get("/network").expect(200);
      expect(res.body).to.include({ chainName: "ACME Registry", rpcUrl: "https://rpc.example/", deployBlock: 17 });
    });

    it("marks only the development chains as dev, with the default names", () => {
      expect(chainNameOf(1337n, undefined)).to.equal("I-TEC Registry (dev)");
      expect(chainNameOf(31337n, undefined)).to.equal("I-TEC Registry (dev)");
      expect(chainNameOf(1n, undefined)).to.equal("I-TEC Registry");
      expect(chainNameOf(2018n, undefined)).to.equal("I-TEC Registry");
      expect(chainNameOf(1n, "Named")).to.equal("Named");
    });
  });
});
