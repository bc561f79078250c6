/**
 * `npm run test:anvil` runs its files as concurrent groups (scripts/test/anvil.ts): every file of the anvil suite
 * must be in a group exactly once (or split into two groups that together run all of it), and the summary it
 * hands .ci/run must count what mocha counted.
 */
import { existsSync, readFileSync } from "node:fs";

import { expect } from "chai";

import { countsOf, GROUPS } from "../../scripts/test/anvil-groups.ts";

/** The services' end-to-end tests that run again on anvil (docs/operations.md). */
const ANVIL_SUITE = [
  "test/oracle/pipeline.test.ts",
  "test/oracle/crash.test.ts",
  "test/api/api.test.ts",
  "test/api/robustness.test.ts",
  "test/indexer/indexer.test.ts",
  "test/e2e/documents.test.ts",
  "test/e2e/verify-page.test.ts",
  "test/e2e/cli.test.ts",
  "test/e2e/serve.test.ts",
];

describe("npm run test:anvil: concurrent groups", function () {
  it("runs every file of the anvil suite, each once or split into complementary halves", function () {
    expect(new Set(GROUPS.map((g) => g.label)).size, "labels are unique").to.equal(GROUPS.length);
    const files = GROUPS.flatMap((g) => g.files);
    expect([...new Set(files)].sort()).to.deep.equal([...ANVIL_SUITE].sort());
    for (const file of new Set(files)) {
      expect(existsSync(file), file).to.equal(true);
      const groups = GROUPS.filter((g) => g.files.includes(file));
      if (groups.length === 1) {
        expect(groups[0]!.grep ?? groups[0]!.grepExclude, `${file} runs whole`).to.equal(undefined);
        continue;
      }
      // Two groups: one takes `grep`, the other excludes the same text, and each is alone with the file.
      expect(groups, file).to.have.length(2);
      const [a, b] = groups as [(typeof GROUPS)[number], (typeof GROUPS)[number]];
      expect(a.files, a.label).to.deep.equal([file]);
      expect(b.files, b.label).to.deep.equal([file]);
      expect(a.grep, a.label).to.be.a("string");
      expect(b.grepExclude, b.label).to.equal(a.grep);
    }
  });

  it("splits the indexer suite by a title its SQLite half really has", function () {
    const split = GROUPS.find((g) => g.grep !== undefined)!;
    const source = readFileSync(split.files[0]!, "utf8");
    expect(source).to.include("describe(`Indexer on ${name}`");
    expect(source).to.include('indexerSuite(sqliteBackend, "SQLite")');
    expect(split.grep).to.equal("Indexer on SQLite");
  });

  it("reads the last summary Hardhat printed: passing, failing and pending", function () {
    const output = [
      "  ✔ a test (12ms)",
      "  3 passing (4s)",
      "  1 pending",
      "  2 failing",
      "",
      "  1) a failure",
      "",
      "5 passing (5 mocha)",
      "2 failing (2 mocha)",
    ].join("\n");
    expect(countsOf(output)).to.deep.equal({ passing: 5, failing: 2, pending: 1 });
    expect(countsOf("Error: cannot start\n")).to.deep.equal({ passing: 0, failing: 0, pending: 0 });
  });
});
