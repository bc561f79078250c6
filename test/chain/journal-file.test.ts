/**
 * The embedded chain's block journal file (core/chain/journal/block-journal.ts, ADR 0062): whole lines appended and
 * fsynced; on open, a torn last line (a kill inside an append) is dropped and truncated away, never anything before
 * it; damage that is not a torn tail refuses to open with the one-line fix.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { BlockJournal, JOURNAL_VERSION, type JournalBlock } from "../../core/chain/journal/block-journal.ts";
import { isCodedError } from "../../sdk/src/errors.ts";

const HEADER = {
  v: JOURNAL_VERSION,
  chainId: 1337,
  hardfork: "cancun",
  initialDate: "2026-01-01T00:00:00.000Z",
  genesisHash: `0x${"11".repeat(32)}`,
};
const block = (n: number): JournalBlock => ({
  number: n,
  timestamp: 1_767_225_600 + n,
  hash: `0x${n.toString(16).padStart(64, "0")}`,
  txs: n % 2 ? [`0x02${"ab".repeat(40)}`] : [],
});

describe("BlockJournal", function () {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "itec-journal-"));
    path = join(dir, "chain", "blocks.jsonl");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A journal with the header and blocks 1…n, closed. */
  function written(n: number): void {
    const j = new BlockJournal(path);
    expect(j.open()).to.deep.equal({ header: undefined, blocks: [], notes: [] });
    j.appendHeader(HEADER);
    j.append(Array.from({ length: n }, (_, i) => block(i + 1)));
    j.close();
  }

  describe("open", function () {
    it("reads back the header and every appended block, in order", function () {
      written(3);
      const j = new BlockJournal(path);
      expect(j.open()).to.deep.equal({ header: HEADER, blocks: [block(1), block(2), block(3)], notes: [] });
      j.append([block(4)]);
      j.close();
      expect(new BlockJournal(path).open().blocks.map((b) => b.number)).to.deep.equal([1, 2, 3, 4]);
    });

    it("drops a torn last line without a newline, truncates it away, and appends after the last whole block", function () {
      written(2);
      const whole = readFileSync(path, "utf8");
      appendFileSync(path, JSON.stringify(block(3)).slice(0, 40));
      const j = new BlockJournal(path);
      const opened = j.open();
      expect(opened.blocks.map((b) => b.number)).to.deep.equal([1, 2]);
      expect(opened.notes).to.have.length(1);
      expect(opened.notes[0]).to.match(/dropped a torn last line \(40 bytes, no newline\)/);
      expect(readFileSync(path, "utf8")).to.equal(whole);
      j.append([block(3)]);
      j.close();
      expect(new BlockJournal(path).open().blocks.map((b) => b.number)).to.deep.equal([1, 2, 3]);
    });

    it("drops a last line that ends in a newline but is not JSON (a write cut inside)", function () {
      written(2);
      const whole = readFileSync(path, "utf8");
      appendFileSync(path, '{"number":3,"times\n');
      const opened = new BlockJournal(path).open();
      expect(opened.blocks.map((b) => b.number)).to.deep.equal([1, 2]);
      expect(opened.notes[0]).to.match(/not JSON/);
      expect(readFileSync(path, "utf8")).to.equal(whole);
    });

    it("refuses a damaged line that is not the last, naming it, with the fix", function () {
      written(3);
      const lines = readFileSync(path, "utf8").split("\n");
      lines[2] = lines[2]!.slice(0, 20);
      writeFileSync(path, lines.join("\n"));
      const error = catchError(() => new BlockJournal(path).open());
      expect(isCodedError(error, "CHAIN_JOURNAL_INVALID")).to.equal(true);
      expect((error as Error).message).to.match(/blocks\.jsonl line 3 is not a journaled block/);
      expect((error as Error).message).to.match(/move it aside/);
      expect((error as Error).message).to.not.include("\n");
    });

    it("refuses a gap in the block numbers", function () {
      written(2);
      appendFileSync(path, JSON.stringify(block(4)) + "\n");
      const error = catchError(() => new BlockJournal(path).open());
      expect((error as Error).message).to.match(/line 4 is block 4, expected 3/);
    });

    it("refuses a file whose first line is not a journal header", function () {
      written(0);
      writeFileSync(path, JSON.stringify(block(1)) + "\n");
      expect((catchError(() => new BlockJournal(path).open()) as Error).message).to.match(/not a chain journal header/);
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
