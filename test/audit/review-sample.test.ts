/**
 * The oracle's audit sample against a real chain: recorded when the lot's batches enter review, drawn once the
 * block after the submission exists, unchanged by later passes — and replayed from public data only: the seed
 * block's hash from the chain node, the report hash and device ids from the published report.
 */
import { expect } from "chai";
import { JsonRpcProvider, keccak256, toUtf8Bytes } from "ethers";
import { pino } from "pino";

import { CATEGORY_CODES } from "../../sdk/src/enums.ts";
import { reportDeviceIds, type ReportDevices } from "../../sdk/src/device-proof.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { sampleRecord, sampleSize, type SampleRecord } from "../../core/audit/sampling.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { devAccount } from "../../core/keys.ts";
import { Oracle } from "../../oracle/src/pipeline/oracle.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { ACCOUNTS, deployOverRpc, startTestChain } from "../helpers/chain.ts";

describe("audit sampling: the oracle's draw replays from public data", function () {
  this.timeout(120_000);

  it("records the submission block, draws after the next block, never redraws, and replays", async () => {
    const chain = await startTestChain();
    const deployed = await deployOverRpc(chain, { auditors: 2 });
    const client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    const store = await JobStore.open(":memory:");
    const oracle = new Oracle({
      store,
      chain: client,
      signer: devAccount(ACCOUNTS.oracle, client.provider),
      reference: loadReferenceTable(),
      logger: pino({ level: "silent" }),
    });
    const publicNode = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
    try {
      const before = await publicNode.getBlockNumber();
      const lot = await oracle.submitLot({
        devices: await readLotCsv("test/vectors/section9-lot.csv"),
        defaultTransport: "hgv:600;van:250",
        refurbisher: deployed.wallet("refurbisher").address,
        lotRef: "S9-sample",
      });
      const id = `${lot.id}-server`;
      const anchored = (await store.samples.of(id))!;
      expect(anchored.submitted_block).to.be.at.least(before);
      if (chain.kind !== "anvil") {
        // Automining: no block after the submission yet, so nothing can be drawn.
        await oracle.tick();
        expect((await store.samples.of(id))!.seed).to.equal(null);
      }
      await publicNode.send("evm_mine", []);
      await oracle.tick();
      const drawn = (await store.samples.of(id))!;
      expect(drawn.seed_block).to.equal(anchored.submitted_block + 1);
      const stored = JSON.parse(drawn.sample_json!) as SampleRecord;

      // Idempotent: more blocks and passes change nothing.
      await publicNode.send("evm_mine", []);
      await oracle.tick();
      expect((await store.samples.of(id))!.sample_json).to.equal(drawn.sample_json);

      // Replay from public data: the block hash from a node, the report's hash and eligible server ids.
      const reportText = await oracle.getReport(lot.id);
      const block = await publicNode.getBlock(stored.seedBlock.number);
      const ids = reportDeviceIds(JSON.parse(reportText) as ReportDevices, "server");
      const replay = sampleRecord({
        submittedBlock: stored.submittedBlock,
        seedBlockHash: block!.hash!,
        reportHash: keccak256(toUtf8Bytes(reportText)),
        categoryCode: CATEGORY_CODES.server,
        deviceIds: ids,
      });
      expect(replay).to.deep.equal(stored);
      expect(stored.size).to.equal(sampleSize(ids.length));
      expect(stored.devices).to.have.length(stored.size).and.to.have.length.above(0);
      expect((await oracle.getAttestation(id)).review.reportHash).to.equal(stored.reportHash);
    } finally {
      publicNode.destroy();
      client.provider.destroy();
      await store.close();
      await chain.stop();
    }
  });
});
