/** Moved to oracle/src/chain/head-cache.ts (shared with the CLI and documents); kept for existing imports. */
export * from "../../../oracle/src/chain/head-cache.ts";
