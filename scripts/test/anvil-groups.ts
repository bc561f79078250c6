/**
 * The groups `npm run test:anvil` (scripts/test/anvil.ts) runs concurrently, and how it reads a group's mocha
 * summary. Every file of the anvil suite is in exactly one group, or split by `grep` / `grepExclude` into two
 * groups that together run all of it.
 */
export interface Group {
  label: string;
  files: string[];
  /** mocha --grep / --grep-exclude with the same text: a file split into two groups that together run all of it. */
  grep?: string;
  grepExclude?: string;
}

/**
 * Longest first, as measured here with four groups at once (2 shared cores): the CLIs ~4 min (each command is a
 * Node process: CPU), the robustness suite and each half of the indexer's ~2 min, the rest 1-1.5 min.
 */
export const GROUPS: readonly Group[] = [
  { label: "cli", files: ["test/e2e/cli.test.ts"] },
  { label: "indexer-sqlite", files: ["test/indexer/indexer.test.ts"], grep: "Indexer on SQLite" },
  { label: "indexer-postgres", files: ["test/indexer/indexer.test.ts"], grepExclude: "Indexer on SQLite" },
  { label: "robustness", files: ["test/api/robustness.test.ts"] },
  { label: "pipeline", files: ["test/oracle/pipeline.test.ts"] },
  { label: "services", files: ["test/e2e/serve.test.ts", "test/oracle/crash.test.ts"] },
  { label: "documents", files: ["test/e2e/documents.test.ts", "test/api/api.test.ts"] },
  { label: "verify-page", files: ["test/e2e/verify-page.test.ts"] },
];

/** The last `N passing` / `N failing` / `N pending` a mocha run printed (Hardhat prints mocha's, then its own). */
export function countsOf(output: string): { passing: number; failing: number; pending: number } {
  const last = (word: string) => {
    const all = [...output.matchAll(new RegExp(`(\\d+) ${word}\\b`, "g"))];
    return all.length === 0 ? 0 : Number(all.at(-1)![1]);
  };
  return { passing: last("passing"), failing: last("failing"), pending: last("pending") };
}
