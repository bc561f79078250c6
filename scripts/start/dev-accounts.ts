/**
 * DEV MODE: the roles `npm start` plays, each with one of Hardhat's well-known test accounts (public keys; never on
 * a real network). The CLI's `--dev-account` names the same indices (scripts/commands/common.ts).
 */
export const START_ROLES = { admin: 0, oracle: 1, auditor1: 2, auditor2: 3, refurbisher: 5, corporate: 6 } as const;
