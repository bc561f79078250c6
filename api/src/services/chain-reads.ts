/** Moved to oracle/src/chain/reads.ts (shared with the CLI and documents); kept for existing imports. */
export * from "../../../oracle/src/chain/reads.ts";
