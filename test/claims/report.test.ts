/**
 * Issue 14's double claim, end to end: Acme retires 12 I-TECs "for Globex GmbH" (a beneficiary name, no
 * beneficiary account). On main before ADR 0051 (commit 50380f6) Acme's Scope 3 report applied them to Acme's
 * laptops. Now the claim is Globex's when a participant is registered under that name (counted in Globex's report
 * only, listed as not applied in Acme's), nobody's while no participant — or more than one — is (listed in Acme's
 * with the reason, applied in no report). Through the API (candidates from its event index, each verified on the
 * chain) and the `itec report scope3` CLI (through the API's index with --api, else a scan of the chain).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress } from "ethers";

import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { runItec } from "../helpers/itec.ts";
import { admit, issue, rename, retire, testIssuer, transfer } from "./fixture.ts";

interface Report {
  account: string;
  accountName: string | null;
  readAt: { chainId: number; registry: string; block: number; indexedToBlock: number | null; generatedAt: string };
  current: {
    applied: { retirementId: string; certificates: number }[];
    unapplied: { retirementId: string; certificates: number; reason: string; detail: string }[];
  };
}

const INVENTORY = [{ category: "laptop", devices: 40, pcfKgPerDevice: "300.000" }];

describe("A claim made for another organisation (issue 14): whose Scope 3 report counts it", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let acme: string;
  let globex: string;
  let twin: string;
  /** Acme's retirement "for Globex GmbH", and one of its own. */
  let forGlobex: { id: bigint; block: number };
  let own: { id: bigint; block: number };

  /** Waits until the API's event index has read the chain's head. */
  async function indexed(): Promise<void> {
    const head = await h.chain.provider.getBlockNumber();
    for (let i = 0; i < 200; i++) {
      if (((await h.api.deps.index!.status()).lastBlock ?? -1) >= head) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the index did not catch up");
  }

  async function report(account: string): Promise<Report> {
    await indexed();
    const res = await h.http.post("/reports/scope3").send({ account, year: 2026, inventory: INVENTORY });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Report;
  }

  const listed = (r: Report, id: bigint) => ({
    applied: r.current.applied.filter((a) => a.retirementId === String(id)).map((a) => a.certificates),
    unapplied: r.current.unapplied.filter((u) => u.retirementId === String(id)).map((u) => u.reason),
  });

  before(async function () {
    h = await startApiHarness();
    acme = getAddress(h.deployed.wallet("corporate").address);
    globex = getAddress(devAccount(9).address);
    twin = getAddress(devAccount(10).address);
    await rename(h.deployed, acme, "Acme Corporation");
    const batch = await issue(h.deployed, h.chain, await testIssuer(h.deployed, h.chain), { certificates: 30n });
    await transfer(h.deployed, h.chain, acme, batch, 20n);
    const holder = h.deployed.wallet("corporate").connect(h.chain.provider);
    forGlobex = await retire(h.deployed, holder, batch, { amount: 12n, beneficiaryName: "Globex GmbH" });
    own = await retire(h.deployed, holder, batch, { amount: 3n, beneficiaryName: "Acme Corporation" });
  });
  after(async () => h?.close());

  it("no participant named 'Globex GmbH': the claim is nobody's — listed in Acme's report, applied in none", async function () {
    const a = await report(acme);
    expect(listed(a, forGlobex.id)).to.deep.equal({ applied: [], unapplied: ["CLAIM_OF_NO_ORGANISATION"] });
    const entry = a.current.unapplied.find((u) => u.retirementId === String(forGlobex.id))!;
    expect(entry.certificates).to.equal(12);
    expect(entry.detail).to.include("'Globex GmbH' matches no participant's registered organisation name");
    expect(entry.detail).to.include(`not to the retiring account ${acme}`);
    // Acme's own claim (its registered name) is applied: 3 laptops, not 15.
    expect(listed(a, own.id)).to.deep.equal({ applied: [3], unapplied: [] });
    expect(a.current.applied.reduce((n, x) => n + x.certificates, 0)).to.equal(3);
    for (const other of [globex, h.deployed.wallet("refurbisher").address, h.deployed.wallet("trader").address]) {
      expect(listed(await report(getAddress(other)), forGlobex.id), other).to.deep.equal({
        applied: [],
        unapplied: [],
      });
    }
    // Where and when it was read: the index had read the retirement's block; the checks read the chain after it.
    expect(a.readAt).to.include({ chainId: 1337, registry: h.deployed.address });
    expect(a.readAt.indexedToBlock).to.be.at.least(own.block);
    expect(a.readAt.block).to.be.at.least(a.readAt.indexedToBlock!);
    expect(Date.parse(a.readAt.generatedAt)).to.be.closeTo(Date.now(), 60_000);
  });

  it("Globex registered as 'Globex GmbH': counted in Globex's report only, listed as not applied in Acme's", async function () {
    await admit(h.deployed, globex, "Globex GmbH");
    const g = await report(globex);
    expect(g.accountName).to.equal("Globex GmbH");
    expect(listed(g, forGlobex.id)).to.deep.equal({ applied: [12], unapplied: [] });
    expect(listed(g, own.id)).to.deep.equal({ applied: [], unapplied: [] });
    const a = await report(acme);
    expect(listed(a, forGlobex.id)).to.deep.equal({ applied: [], unapplied: ["CLAIM_OF_ANOTHER_ORGANISATION"] });
    expect(a.current.unapplied.find((u) => u.retirementId === String(forGlobex.id))!.detail).to.equal(
      `a claim of Globex GmbH (beneficiary name 'Globex GmbH' is the registered name of ${globex}); it counts in ` +
        "that organisation's report only",
    );
    expect(listed(a, own.id)).to.deep.equal({ applied: [3], unapplied: [] });
  });

  it("two participants under the name (as normalised): ambiguous, nobody's claim; renamed, Globex's again", async function () {
    await admit(h.deployed, twin, "  GLOBEX   gmbh. ");
    expect(listed(await report(globex), forGlobex.id)).to.deep.equal({ applied: [], unapplied: [] });
    expect(listed(await report(twin), forGlobex.id)).to.deep.equal({ applied: [], unapplied: [] });
    const a = await report(acme);
    expect(listed(a, forGlobex.id)).to.deep.equal({ applied: [], unapplied: ["CLAIM_OF_NO_ORGANISATION"] });
    expect(a.current.unapplied.find((u) => u.retirementId === String(forGlobex.id))!.detail).to.include(
      "is the registered name of 2 participants",
    );
    await rename(h.deployed, twin, "Globex Holding AG");
    expect(listed(await report(globex), forGlobex.id)).to.deep.equal({ applied: [12], unapplied: [] });
  });

  it("the index's claim lookups answer candidates only, and say how far the index has read", async function () {
    await indexed();
    const c = (
      await h.http
        .get(`/claims/candidates?account=${acme}&nameKey=${encodeURIComponent(" ACME corporation")}`)
        .expect(200)
    ).body as {
      nameKey: string;
      candidates: { retirementId: string; blockNumber: number }[];
      index: { lastBlock: number };
    };
    expect(c.nameKey).to.equal("acme corporation");
    expect(c.candidates.map((x) => [x.retirementId, x.blockNumber])).to.deep.equal([
      [String(forGlobex.id), forGlobex.block],
      [String(own.id), own.block],
    ]);
    expect(c.index.lastBlock).to.be.at.least(own.block);
    const g = (await h.http.get(`/claims/registered?key=${encodeURIComponent("Globex GmbH.")}`).expect(200)).body as {
      key: string;
      participants: { account: string }[];
    };
    expect(g.key).to.equal("globex gmbh");
    expect(g.participants.map((p) => p.account)).to.deep.equal([globex]);
  });

  it("itec report scope3: through the API's index (--api) or by a scan of the chain, the same claims", async function () {
    await indexed();
    const common = [
      "report",
      "scope3",
      "--rpc",
      h.chain.url,
      "--registry",
      h.deployed.address,
      "--data-dir",
      "/nonexistent",
    ];
    const dir = mkdtempSync(join(tmpdir(), "itec-claims-"));
    const inventory = join(dir, "inventory.json");
    writeFileSync(inventory, JSON.stringify({ inventory: INVENTORY }));
    const run = (args: string[]) =>
      runItec([...common, "--inventory", inventory, "--year", "2026", ...args], process.env);
    const viaIndex = await run(["--account", acme, "--api", h.api.url, "--json"]);
    expect(viaIndex.code, viaIndex.stderr).to.equal(0);
    const scanned = await run(["--account", acme, "--json"]);
    expect(scanned.code, scanned.stderr).to.equal(0);
    const [i, s] = [JSON.parse(viaIndex.stdout) as Report, JSON.parse(scanned.stdout) as Report];
    expect(listed(i, forGlobex.id)).to.deep.equal({ applied: [], unapplied: ["CLAIM_OF_ANOTHER_ORGANISATION"] });
    expect(i.current).to.deep.equal(s.current);
    expect(i.readAt.indexedToBlock).to.be.a("number");
    expect(s.readAt.indexedToBlock).to.equal(null);
    const table = await run(["--account", acme]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.include(`Scope 3 IT procurement 2026 for Acme Corporation (${acme})`);
    expect(table.stdout).to.match(
      /^read from chain 1337, registry 0x[0-9a-fA-F]{40}, at block \d+; retirements found by a scan of the chain$/m,
    );
    expect(table.stdout).to.include(`not applied: #${forGlobex.id} CLAIM_OF_ANOTHER_ORGANISATION`);
    const g = await run(["--account", globex, "--api", h.api.url]);
    expect(g.code, g.stderr).to.equal(0);
    expect(g.stdout).to.match(
      /retirements found through the event index of http:\/\/127\.0\.0\.1:\d+ \(indexed to block \d+\), each verified on the chain/,
    );
    expect(g.stdout).to.match(/^total\s+40\s+\S+\s+\S+\s+12$/m);
    rmSync(dir, { recursive: true, force: true });
  });
});
