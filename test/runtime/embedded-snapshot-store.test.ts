/**
 * core/chain/snapshot-store.ts: generations written atomically, the previous one kept, an unfinished write removed
 * and said, a torn newest generation recovered from the previous one and said, none intact refused with the fix.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";

import { expect } from "chai";

import { SnapshotStore, SnapshotTornError } from "../../core/chain/snapshot-store.ts";

const state = (block: number) => Buffer.from(JSON.stringify({ best_block_number: block, pad: "x".repeat(5000) }));

describe("SnapshotStore", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "itec-snap-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("write", function () {
    it("keeps the newest generation and the one before it, nothing else", async () => {
      const store = new SnapshotStore(dir);
      for (const block of [3, 7, 9]) await store.write(gzipSync(state(block)), block);
      expect(readdirSync(dir).sort()).to.deep.equal(["state-2-7.json.gz", "state-3-9.json.gz"]);
      expect(JSON.parse(store.restore().json!.toString()).best_block_number).to.equal(9);
    });
  });

  describe("restore", function () {
    it("starts a new chain when there is no snapshot", () => {
      expect(new SnapshotStore(dir).restore()).to.deep.equal({ from: undefined, json: undefined, notes: [] });
    });

    it("removes an interrupted write and loads the last complete generation, saying so", async () => {
      const store = new SnapshotStore(dir);
      await store.write(gzipSync(state(4)), 4);
      writeFileSync(join(dir, "state-2-8.json.gz.tmp"), gzipSync(state(8)).subarray(0, 100));
      const restored = store.restore();
      expect(restored.from!.block).to.equal(4);
      expect(restored.notes.join("\n")).to.match(/removed state-2-8\.json\.gz\.tmp, a snapshot write that a kill/);
      expect(readdirSync(dir)).to.deep.equal(["state-1-4.json.gz"]);
    });

    it("recovers from the previous generation when the newest is torn, keeps the torn file and says so", async () => {
      const store = new SnapshotStore(dir);
      await store.write(gzipSync(state(4)), 4);
      const newest = await store.write(gzipSync(state(8)), 8);
      truncateSync(newest.file, Math.floor(readFileSync(newest.file).length / 2));
      const restored = store.restore();
      expect(JSON.parse(restored.json!.toString()).best_block_number).to.equal(4);
      expect(restored.notes).to.have.length(1);
      expect(restored.notes[0]).to.match(
        /^the chain snapshot .*state-2-8\.json\.gz is torn \(kept as .*\.torn\); recovered from the previous generation .*state-1-4\.json\.gz \(block 4\): blocks after it are lost$/,
      );
      expect(readdirSync(dir).sort()).to.deep.equal(["state-1-4.json.gz", "state-2-8.json.gz.torn"]);
    });

    it("refuses with a one-line fix when no generation is intact", async () => {
      const store = new SnapshotStore(dir);
      const only = await store.write(gzipSync(state(4)), 4);
      const bytes = readFileSync(only.file);
      bytes[bytes.length - 6]! ^= 0xff; // the CRC-32 no longer matches
      writeFileSync(only.file, bytes);
      expect(() => store.restore())
        .to.throw(SnapshotTornError)
        .with.property("message")
        .that.matches(
          /^the chain snapshot .*state-1-4\.json\.gz is torn and no earlier generation is intact: .*--fresh/,
        )
        .and.not.include("\n");
    });

    it("reads anvil's own state.json of earlier versions as generation 0, and a torn one is refused", () => {
      writeFileSync(join(dir, "state.json"), state(2));
      const restored = new SnapshotStore(dir).restore();
      expect(basename(restored.from!.file)).to.equal("state.json");
      expect(restored.from!.generation).to.equal(0);
      writeFileSync(join(dir, "state.json"), state(2).subarray(0, 1000));
      expect(() => new SnapshotStore(dir).restore()).to.throw(SnapshotTornError, /state\.json is torn/);
    });
  });
});
