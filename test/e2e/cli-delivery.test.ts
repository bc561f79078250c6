/**
 * `itec delivery send` and `itec verify delivery` end to end, as child processes against a running API over a real
 * chain: the ITAD sends a delivery of sample-lot serials (data/samples/demo-lot.csv) from a CSV file, the customer
 * lists it and verifies its devices against the chain from its own serial list; a serial the delivery does not
 * carry makes the verification exit 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { issueLot } from "../helpers/issue-lot.ts";
import { runItec } from "../helpers/itec.ts";

const DEMO_LOT = readFileSync("data/samples/demo-lot.csv", "utf8");

describe("itec delivery / itec verify delivery (end to end, child processes)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let dir: string;
  let env: Record<string, string>;
  const itec = (args: string[]) => runItec(args, env);

  before(async () => {
    h = await startApiHarness({ env: { ITEC_RATE_LIMIT_AUTH: "10000", ITEC_RATE_LIMIT_WRITE: "10000" } });
    await issueLot(h, DEMO_LOT, "hgv:600;van:250");
    dir = mkdtempSync(join(tmpdir(), "itec-delivery-"));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => !k.startsWith("ITEC_") && v !== undefined),
    ) as Record<string, string>;
    env = { ...clean, ITEC_API_URL: h.api.url, ITEC_RPC_URL: h.chain.url, ITEC_REGISTRY_ADDRESS: h.deployed.address };
  });
  after(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("sends a delivery from a CSV file and the customer verifies each of its devices from the chain", async function () {
    // The ITAD's delivery file: four laptops of the lot and one serial the registry never saw.
    const file = join(dir, "ord-77.csv");
    writeFileSync(
      file,
      "manufacturer,serial\nDell,CN0LAT54000\nDell,CN0LAT54001\nDell,CN0LAT54002\nDell,CN0LAT54003\nAcme,NOPE-1\n",
    );
    const customer = h.deployed.wallet("corporate").address;
    const sent = await itec([
      "delivery",
      "send",
      file,
      "--customer",
      customer,
      "--reference",
      "ORD-77",
      "--dev-account",
      "refurbisher",
    ]);
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.stdout).to.include("delivery ORD-77");
    expect(sent.stdout).to.match(/row 5 NOPE-1: NOT_CERTIFIED/);
    expect(sent.stdout).to.match(/✓ sent in tx 0x[0-9a-f]{64}/);

    const list = await itec(["delivery", "list", "--dev-account", "corporate"]);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include(
      "received with delivery ORD-77: 5 devices, 4 certified (1 not certified: 1 NOT_CERTIFIED)",
    );

    const own = join(dir, "mine.csv");
    writeFileSync(own, "manufacturer,serial\nDell,CN0LAT54000\nDell,CN0LAT54001\nDell,CN0LAT54002\nDell,CN0LAT54003\n");
    const verified = await itec(["verify", "delivery", "ORD-77", "--serials", own, "--dev-account", "corporate"]);
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.match(/transfer: ✓ carries the reference's hash/);
    expect(verified.stdout).to.include("✓ CN0LAT54002");
    expect(verified.stdout).to.include("4 of 4 devices verified against the chain");

    const json = await itec(["verify", "delivery", "ORD-77", "--dev-account", "corporate", "--json"]);
    expect(json.code, json.stderr).to.equal(0);
    const out = JSON.parse(json.stdout) as { verified: boolean; devices: { status: string }[] };
    expect(out.verified).to.equal(true);
    expect(out.devices.map((d) => d.status)).to.deep.equal(Array(4).fill("verified"));

    // A device the customer expected but the delivery does not carry: exit 1, named.
    writeFileSync(own, "manufacturer,serial\nDell,CN0LAT54000\nDell,CN0LAT54004\n");
    const partly = await itec(["verify", "delivery", "ORD-77", "--serials", own, "--dev-account", "corporate"]);
    expect(partly.code).to.equal(1);
    expect(partly.stdout).to.match(/✗ CN0LAT54004 .*not-in-delivery/);
  });

  it("exits non-zero with one line for a delivery the account did not receive", async function () {
    const r = await itec(["verify", "delivery", "ORD-NONE", "--dev-account", "trader"]);
    expect(r.code).to.not.equal(0);
    // One line besides the dev-key warning every --dev-account run prints.
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((l) => !l.includes("DEV MODE"));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include("no delivery ORD-NONE");
  });
});
