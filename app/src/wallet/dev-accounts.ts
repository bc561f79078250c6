/**
 * The accounts of the app's dev wallet (wallet/dev-wallet.ts): the roles `npm start` gives Hardhat's public test
 * accounts (scripts/start/dev-accounts.ts). Kept apart from the wallet so the connect screen can offer the picker
 * without loading the wallet's signing code.
 */
export const DEV_ROLES: readonly { role: string; index: number }[] = [
  { role: "corporate", index: 6 },
  { role: "refurbisher", index: 5 },
  { role: "auditor1", index: 2 },
  { role: "auditor2", index: 3 },
  { role: "admin", index: 0 },
  { role: "trader", index: 7 },
];

export const DEV_WALLET_RDNS = "org.itec.devwallet";

/** The dev wallet's own method to pick its account (what a wallet's account menu does). */
export interface DevAccountPicker {
  selectAccount(index: number): void;
  readonly accountIndex: number;
}
