/**
 * Devices claimed elsewhere through the real path (issue 17 item 3, docs/adr/0056): the admin registers an external
 * device set on the chain, the oracle fetches its list from the source URI, checks it against the root and excludes
 * the device it lists as CLAIMED_ELSEWHERE (the report names the set; the batch recomputes identical); a set
 * registered after issuance proves on-chain that an issued device was claimed elsewhere, which freezes the batch; a
 * set whose list cannot be fetched, or is not its root's, stops the intake with EXTERNAL_SET_UNAVAILABLE.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";

import { deviceId } from "../../core/calc/device-id.ts";
import { calcEngine } from "../../core/calc/recompute-engine.ts";
import { deviceTreeRoot, reportDeviceIds, type ReportDevices } from "../../sdk/src/device-proof.ts";
import { externalDeviceSetsAt, readExternalSets } from "../../sdk/src/external-sets.ts";
import { RegistryReader } from "../../sdk/src/reader.ts";
import { recomputeBatch } from "../../sdk/src/recompute.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { freePort } from "../helpers/chain.ts";
import { issueLot } from "../helpers/issue-lot.ts";
import { runItec } from "../helpers/itec.ts";

const DEMO = readFileSync("data/samples/demo-lot.csv", "utf8");
const LEGS = "hgv:600;van:250";
const DELL = deviceId("Dell", "CN0LAT54000");
const LENOVO = deviceId("Dell", "CN0LAT54001");

type Tree = StandardMerkleTree<[bigint, string]>;
const treeOf = (ids: readonly string[]): Tree =>
  StandardMerkleTree.of(
    ids.map((id, k): [bigint, string] => [BigInt(k), id]),
    ["uint256", "bytes32"],
  );
function proofOf(tree: Tree, id: string) {
  for (const [i, [k, d]] of tree.entries()) {
    if (d === id) return { root: tree.root, index: k, deviceId: id, proof: tree.getProof(i) };
  }
  throw new Error(`${id} is not in the tree`);
}

describe("oracle: devices claimed elsewhere", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let lists: Server;
  let base: string;
  /** path → body the list server answers (404 when absent). */
  const served = new Map<string, string>();

  let setsAddress: string;
  const sets = () => externalDeviceSetsAt(setsAddress, h.deployed.wallet("admin").connect(h.chain.provider));
  async function register(scheme: string, ids: readonly string[], path: string, list = ids): Promise<void> {
    served.set(path, JSON.stringify({ scheme, deviceIds: list }));
    const now = (await h.chain.provider.getBlock("latest"))!.timestamp;
    const registry = h.deployed.address;
    await (
      await sets().getFunction("register")(registry, scheme, deviceTreeRoot(ids), `${base}${path}`, now, 0)
    ).wait();
  }

  before(async function () {
    h = await startApiHarness();
    setsAddress = await registryAt(h.deployed.address, h.chain.provider).EXTERNAL_DEVICE_SETS();
    const port = await freePort();
    lists = createServer((req, res) => {
      const body = served.get(req.url ?? "");
      res.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" }).end(body ?? "");
    });
    await new Promise<void>((resolve) => lists.listen(port, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${port}`;
  });

  after(async function () {
    await h?.close();
    lists?.close();
  });

  it("excludes a device a registered set lists, names the set in the report, and recomputes identical", async function () {
    await register("OEM take-back", [deviceId("hp", "OTHER-1"), DELL], "/oem.json");
    const [set] = await readExternalSets(h.deployed.address, h.chain.provider);
    expect(set).to.deep.include({ setId: 1, scheme: "OEM take-back", active: true, sourceURI: `${base}/oem.json` });
    const listed = (await h.http.get("/external-sets").expect(200)).body as { register: string; sets: unknown[] };
    expect(listed).to.deep.equal({ register: setsAddress, sets: [set] });

    const tokens = await issueLot(h, DEMO, LEGS);
    expect(tokens.length, "batches issued").to.be.greaterThan(0);
    const reader = new RegistryReader(h.chain.provider, h.deployed.address);
    const laptop = await Promise.all(tokens.map((t) => reader.batch(BigInt(t)))).then((bs) =>
      bs.find((b) => b.category === "laptop"),
    );
    expect(laptop, JSON.stringify(tokens)).to.not.equal(undefined);
    const report = (await (await fetch(laptop!.evidenceURI!)).json()) as ReportDevices & {
      readonly lot: { excluded: Record<string, number> };
    };
    const dell = report.devices.find((d) => d.deviceId === DELL) as Record<string, unknown>;
    expect(dell.excluded).to.equal("CLAIMED_ELSEWHERE");
    expect(dell.claimedElsewhere).to.deep.equal({ root: set!.root, scheme: "OEM take-back", setId: 1 });
    expect(report.lot.excluded).to.include({ CLAIMED_ELSEWHERE: 1 });
    expect(reportDeviceIds(report, "laptop")).to.not.include(DELL);

    const externalSets = () => readExternalSets(h.deployed.address, h.chain.provider);
    const options = { reader, engine: calcEngine, apiUrl: h.api.url, externalSets };
    const recomputed = await recomputeBatch(laptop!.batchId, options);
    expect(recomputed.differences).to.deep.equal([]);
    expect(recomputed.identical).to.equal(true);
    expect(recomputed.checks.map((c) => c.check)).to.include("sets of devices claimed elsewhere are the chain's");
    // A report's claims are not taken on trust: without the register, or against another root, not identical.
    const unchecked = await recomputeBatch(laptop!.batchId, { ...options, externalSets: undefined });
    expect(unchecked.identical).to.equal(false);
    const forged = async () => (await externalSets()).map((x) => ({ ...x, root: `0x${"00".repeat(32)}` }));
    const other = await recomputeBatch(laptop!.batchId, { ...options, externalSets: forged });
    expect(other.identical).to.equal(false);
    expect(other.differences[0]).to.deep.include({ where: "external device set 1", field: "root and scheme" });

    // After issuance, another scheme's set lists an issued laptop: anyone proves it on-chain and the batch freezes.
    await register("EPR scheme", [LENOVO], "/epr.json");
    const ours = proofOf(treeOf(reportDeviceIds(report, "laptop")), LENOVO);
    expect(ours.root).to.equal(laptop!.deviceRoot);
    const theirs = proofOf(treeOf([LENOVO]), LENOVO);
    const registry = registryAt(h.deployed.address, h.deployed.wallet("corporate").connect(h.chain.provider));
    await (await registry.challengeClaimedElsewhere(ours, 2, theirs)).wait();
    const challenge = await registry.challenge(1);
    expect(challenge.kind).to.equal(3n);
    expect(challenge.batchA).to.equal(BigInt(laptop!.batchId));
    const fresh = new RegistryReader(h.chain.provider, h.deployed.address);
    expect((await fresh.batch(BigInt(laptop!.batchId))).status).to.equal("suspended");
  });

  it("registers, lists and retires sets with the CLI (itec admin external-set)", async function () {
    const dir = mkdtempSync(join(tmpdir(), "itec-sets-"));
    const ids = [deviceId("acer", "CLI-1"), deviceId("acer", "CLI-2")];
    writeFileSync(join(dir, "list.json"), JSON.stringify(ids));
    const env = { PATH: process.env.PATH, ITEC_API_URL: h.api.url, ITEC_RPC_URL: h.chain.url };
    const before = (await readExternalSets(h.deployed.address, h.chain.provider)).length;
    const args = ["--scheme", "CLI scheme", "--list", join(dir, "list.json"), "--source-uri", `${base}/cli.json`];
    const date = ["--as-of", new Date().toISOString().slice(0, 10), "--dev-account", "admin", "--json"];
    const registered = await runItec(["admin", "external-set", "register", ...args, ...date], env);
    expect(registered.code, registered.stderr).to.equal(0);
    const out = JSON.parse(registered.stdout) as { setId: number; root: string; devices: number };
    expect(out).to.deep.include({ setId: before + 1, root: deviceTreeRoot(ids), devices: 2 });
    // Only the admin: the refurbisher's key is refused by the register.
    const refused = await runItec(
      ["admin", "external-set", "register", ...args, ...date.slice(0, 2), "--dev-account", "refurbisher"],
      env,
    );
    expect(refused.code).to.not.equal(0);
    const listed = await runItec(["admin", "external-set", "list", "--json"], env);
    expect((JSON.parse(listed.stdout) as { sets: { setId: number; active: boolean }[] }).sets.at(-1)).to.deep.include({
      setId: before + 1,
      active: true,
    });
    const retired = await runItec(
      ["admin", "external-set", "retire", String(before + 1), "--reason", "test", "--dev-account", "admin"],
      env,
    );
    expect(retired.code, retired.stderr).to.equal(0);
    const [last] = (await readExternalSets(h.deployed.address, h.chain.provider)).slice(-1);
    expect(last!.active).to.equal(false);
  });

  it("stops the intake with EXTERNAL_SET_UNAVAILABLE when a set's list is missing or not its root's", async function () {
    const csv = DEMO.replaceAll("CN0", "XN0");
    // Registered, but its list is not served.
    const now = (await h.chain.provider.getBlock("latest"))!.timestamp;
    const missingRoot = deviceTreeRoot([deviceId("acer", "GONE-1")]);
    await (
      await sets().getFunction("register")(h.deployed.address, "Gone", missingRoot, `${base}/gone.json`, now, 0)
    ).wait();
    const refused = await h.http
      .post(`/lots?defaultTransport=${encodeURIComponent(LEGS)}`)
      .set("authorization", `Bearer ${await h.signIn(h.deployed.wallet("refurbisher"))}`)
      .set("content-type", "text/csv")
      .send(csv);
    expect(refused.status).to.equal(503);
    expect(refused.body).to.deep.include({ code: "EXTERNAL_SET_UNAVAILABLE" });
    expect(String(refused.body.detail)).to.match(/set \d+ \(Gone\) could not be fetched/);

    // Served now, but another list than the root commits to.
    served.set("/gone.json", JSON.stringify([deviceId("acer", "GONE-2")]));
    const mismatch = await h.http
      .post(`/lots?defaultTransport=${encodeURIComponent(LEGS)}`)
      .set("authorization", `Bearer ${await h.signIn(h.deployed.wallet("refurbisher"))}`)
      .set("content-type", "text/csv")
      .send(csv);
    expect(mismatch.status).to.equal(503);
    expect(String(mismatch.body.detail)).to.match(/is not the registered root/);

    // The right list: the lot is taken.
    served.set("/gone.json", JSON.stringify([deviceId("acer", "GONE-1")]));
    const taken = await h.http
      .post(`/lots?defaultTransport=${encodeURIComponent(LEGS)}`)
      .set("authorization", `Bearer ${await h.signIn(h.deployed.wallet("refurbisher"))}`)
      .set("content-type", "text/csv")
      .send(csv);
    expect(taken.status, JSON.stringify(taken.body)).to.equal(201);
  });
});
