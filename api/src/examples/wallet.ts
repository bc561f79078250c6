/**
 * Example requests and answers of sign-in and the wallet transactions (routes/auth.ts, transactions.ts,
 * challenges.ts, admin.ts, admin-batches.ts): the corporate of the registry `npm start` runs (Hardhat's
 * well-known account #6, registry v2 at the second address the dev admin deploys to) signing in and building,
 * signing and relaying its transactions. test/api/openapi.test.ts checks each against its schema.
 */

/** The demonstration's accounts (Hardhat's well-known development accounts). */
export const ACCOUNTS = {
  registry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  admin: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  auditor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  refurbisher: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  corporate: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
  trader: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
} as const;

/** GET /auth/nonce. */
export const nonceExample = {
  nonce: "4ee82c1ec425345e6ae79703",
  expiresAt: "2026-12-02T04:12:56.203Z",
  domain: "127.0.0.1:8080",
  uri: "http://127.0.0.1:8080",
  chainId: "1337",
};

/** POST /auth/siwe: the EIP-4361 message for that nonce, signed by the corporate (personal_sign). */
export const signInExample = {
  message:
    "127.0.0.1:8080 wants you to sign in with your Ethereum account:\n" +
    `${ACCOUNTS.corporate}\n\nSign in to the I-TEC Registry\n\nURI: http://127.0.0.1:8080\nVersion: 1\n` +
    "Chain ID: 1337\nNonce: 4ee82c1ec425345e6ae79703\nIssued At: 2026-12-02T04:03:01.000Z",
  signature:
    "0xfa40abb97e889c8068db226fbc6b263149ecbed7e57469f04fc722fb2b0f53c169a17eb61455ff035e16f06a7608ff6f145d3611c36c685d4e0cf9351ad816dd1b",
};

/** POST /auth/siwe's answer: the bearer token for "Authorize". */
export const sessionExample = {
  token:
    "eyJzdWIiOiIweDk3NkVBNzQwMjZFNzI2NTU0ZEI2NTdmQTU0NzYzYWJkMEMzYTBhYTkiLCJleHAiOjE3OTYxODUwODF9.3sH1x0m9yB2Vh8bJkR6m0s9QpL4w7cTnU5eA1fZ2k8Y",
  address: ACCOUNTS.corporate,
  expiresAt: "2026-12-02T04:18:01.000Z",
};

/** GET /auth/me (and GET /participants/{address}) for the corporate. */
export const meExample = {
  account: ACCOUNTS.corporate,
  kind: "corporate",
  status: "active",
  name: "Acme Corporation",
  hasCode: false,
  roles: { admin: false, auditor: false, issuer: false },
  accreditation: null,
};

/** POST /tx/transfer: one certificate of batch #1 from the corporate to the refurbisher, unsigned. */
export const unsignedTransferExample = {
  from: ACCOUNTS.corporate,
  to: ACCOUNTS.registry,
  data:
    "0xf242432a000000000000000000000000976ea74026e726554db657fa54763abd0c3a0aa90000000000000000000000009965507d1a55" +
    "bcc2695c58ba16fb37d819b0a4dc00000000000000000000000000000000000000000000000000000000000000010000000000000000" +
    "00000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000" +
    "a00000000000000000000000000000000000000000000000000000000000000000",
  value: "0",
  chainId: "1337",
  gasPrice: "0",
  gasLimit: "56079",
  description: `transfer 1 I-TEC of batch #1 from ${ACCOUNTS.corporate} to ${ACCOUNTS.refurbisher}`,
};

/** POST /tx/relay: a setApprovalForAll the corporate signed in its wallet (legacy type, zero gas price). */
export const relayExample = {
  signedTransaction:
    "0xf8a6018082d9dc94e7f1725e7734ce288f8367e1bb143e90bb3f051280b844a22cb465000000000000000000000000a0ee7a142d267c" +
    "1f36714e4a8f75612f20a797200000000000000000000000000000000000000000000000000000000000000001820a95a05cefbedf7ab5" +
    "3774d4772ac67ab8c4c0932c8fd20acdf26d7b3478c752246e78a01cfc13a1025068022914734967745538b2a173f3eeddc68432e0fbc6" +
    "f3264ab3",
};

/** POST /tx/relay's answer. */
export const relayedExample = {
  hash: "0xd6880c020c199318cdef5ab9f29527c5bc9da757cc86d005a98761602369826f",
  function: "setApprovalForAll",
};

/** GET /tx/{hash} once mined. */
export const transactionStatusExample = {
  hash: relayedExample.hash,
  status: "mined",
  blockNumber: 20,
  gasUsed: "46477",
};
