/**
 * The capacity model (network/besu/capacity.ts): its arithmetic on hand-checked inputs, and docs/capacity.md kept
 * equal to what the measured figures in bench/results/*.json give today.
 */
import { readFile } from "node:fs/promises";

import { expect } from "chai";

import {
  ASSUMPTIONS,
  CAPACITY_DOC,
  capacityModel,
  defaultChain,
  formatDoc,
  readBenchInputs,
  renderCapacity,
  withGeneratedBlock,
  type BenchInputs,
} from "../../network/besu/capacity.ts";

const gas = {
  issue_1_auditor: 150_000,
  issue_2_of_3: 200_000,
  transfer_new_holder: 50_000,
  transfer_existing_holder: 40_000,
  retire: 100_000,
  admit_participant: 90_000,
};
const run = (chain: string, lotsPerMinute: number) => ({
  chain,
  lots: 100,
  devices_per_lot: 1000,
  batches_minted: 150,
  lots_per_minute: lotsPerMinute,
  devices_per_s: (lotsPerMinute * 1000) / 60,
});
const BENCH: BenchInputs = {
  gas,
  oracle: [run("automine", 200), run("block every 1s", 120)],
  api: { verify: { rps: 4000, p50_ms: 10, p99_ms: 20 } },
  verify: {
    sizes: {
      "100": {
        blocksFromDeploymentToHead: 100,
        rpcCallsPerVerification: { eth_call: 11, eth_getLogs: 2 },
        node: { batchIssuedTopicGetLogsDeploymentToHead: { p50_ms: 2 } },
      },
      "10000": {
        blocksFromDeploymentToHead: 10_000,
        rpcCallsPerVerification: { eth_call: 11, eth_getLogs: 2, eth_blockNumber: 1 },
        node: { batchIssuedTopicGetLogsDeploymentToHead: { p50_ms: 20 } },
      },
    },
  },
};
const YEAR = 365 * 24 * 3600;

describe("Besu capacity model", function () {
  const m = capacityModel(BENCH, { gasLimit: 30_000_000, blockPeriodSeconds: 2 });

  it("turns gas per operation into operations per block and per second", function () {
    const issue = m.operations.find((o) => o.field === "issue_2_of_3");
    expect(issue).to.include({ gas: 200_000, perBlock: 150, perSecond: 75 });
    expect(m.operations.find((o) => o.field === "transfer_existing_holder")).to.include({
      perBlock: 750,
      perSecond: 375,
    });
    expect(m.gasPerSecond).to.equal(15_000_000);
  });

  // Not chai's closeTo: Hardhat's chai matchers, loaded by other files in a full run, take its arguments as bigints.
  const near = (actual: number | undefined, expected: number, delta: number) =>
    expect(Math.abs((actual ?? Number.NaN) - expected), `${actual} ≈ ${expected}`).to.be.at.most(delta);

  it("scales the assumed demand and compares its peak with the chain and the slowest oracle run", function () {
    expect(m.oracleReference.chain).to.equal("block every 1s");
    expect(m.batchesPerLot).to.equal(1.5);
    const [one, , hundred] = m.demand;
    expect(one?.lotsPerYear).to.equal(ASSUMPTIONS.devicesPerYear / 1000);
    expect(one?.issuancesPerYear).to.equal(15_000);
    expect(hundred?.retirementsPerYear).to.equal(ASSUMPTIONS.retirementsPerYear * 100);
    const gasPerSecond = (1_500_000 * 200_000 + 1_500_000 * 50_000 + 10_000_000 * 100_000) / YEAR;
    near(hundred?.gasPerSecond, gasPerSecond, 1e-6);
    near(hundred?.peakChainShare, (gasPerSecond * ASSUMPTIONS.peakFactor) / 15_000_000, 1e-12);
    near(hundred?.peakOracleShare, ((1_000_000 / YEAR) * 60 * ASSUMPTIONS.peakFactor) / 120, 1e-12);
    near(hundred?.eventsPerSecond, 13_000_000 / YEAR, 1e-9);
  });

  it("counts the chain's growth and the RPC calls of a verification at the largest measured size", function () {
    expect(m.blocksPerYear).to.equal(YEAR / 2);
    expect(m.coldLookupCallsPerYearOfChain).to.equal(Math.ceil(YEAR / 2 / 5000));
    expect(m.getLogs).to.deep.equal([
      [100, 2],
      [10_000, 20],
    ]);
    expect(m.rpcCallsPerVerification).to.equal(14);
  });

  it("refuses a gas.json without an operation it needs", function () {
    const { retire: _dropped, ...withoutRetire } = gas;
    expect(() => capacityModel({ ...BENCH, gas: withoutRetire }, defaultChain())).to.throw("no field retire");
  });

  it("names every measured figure by file and field, and every assumption as one", function () {
    const text = renderCapacity(m);
    for (const needle of [
      "`issue_2_of_3`",
      "`lots_per_minute`",
      "bench/results/api.json",
      "ASSUMPTIONS",
      "not measured",
    ]) {
      expect(text).to.include(needle);
    }
  });

  it("keeps docs/capacity.md equal to the model of today's bench/results and generator defaults", async function () {
    const doc = await readFile(CAPACITY_DOC, "utf8");
    const expected = await formatDoc(
      withGeneratedBlock(doc, renderCapacity(capacityModel(await readBenchInputs(), defaultChain()))),
    );
    expect(doc, "docs/capacity.md is stale: run `npx tsx network/besu/capacity.ts --write`").to.equal(expected);
    expect(defaultChain()).to.deep.equal({ gasLimit: 30_000_000, blockPeriodSeconds: 2 });
  });
});
