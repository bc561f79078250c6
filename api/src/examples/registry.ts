/**
 * Example answers of the oracle's routes (routes/registry.ts): lot L1 of the registry `npm start` runs (trimmed to
 * one of its six batches). test/api/openapi.test.ts checks each against its schema.
 */

import { ATTESTATION_TYPES } from "../../../sdk/src/attestation.ts";

/** A batch job (the server batch of lot L1), minted as batch #6. */
export const batchJobExample = {
  id: "L1-server",
  lotId: "L1",
  category: "server",
  state: "confirmed",
  certificates: 2,
  baselineGrams: "962385",
  reductionGrams: "314050",
  deviceRoot: "0x92b13bbcd9c7980095516c4defaea1363887ff95fd2bbcbf849ce70c59467d8d",
  vintageStart: "2025-06-10",
  vintageEnd: "2025-06-10",
  reason: null,
  error: null,
  digest: "0xe179cb7bac07510b2749a4a207652a7583550551a423b75293302d66f8d96d81",
  deadline: "2026-12-16T04:02:11.000Z",
  tokenId: "6",
  links: {
    self: "http://127.0.0.1:8080/batches/L1-server",
    attestation: "http://127.0.0.1:8080/batches/L1-server/attestation",
    certificate: "http://127.0.0.1:8080/certificates/6",
  },
};

/** The laptop batch job of lot L1, as its lot lists it. */
export const lotBatchExample = {
  id: "L1-laptop",
  lotId: "L1",
  category: "laptop",
  state: "confirmed",
  certificates: 12,
  baselineGrams: "194660",
  reductionGrams: "47959",
  deviceRoot: "0x1f825e1404ce2ee9ebcc19eb9d47594bffd642497c14fe6bbde076694a9d58f7",
  vintageStart: "2025-11-15",
  vintageEnd: "2025-11-18",
  reason: null,
  error: null,
  digest: "0x7a72e56eb1ba8efadbc4cc6903ee7fab02c6b073e7e3c10661a454bec9528b03",
  deadline: "2026-12-16T04:02:11.000Z",
  tokenId: "1",
  links: {
    self: "http://127.0.0.1:8080/batches/L1-laptop",
    attestation: "http://127.0.0.1:8080/batches/L1-laptop/attestation",
    certificate: "http://127.0.0.1:8080/certificates/1",
  },
};

/** GET /lots/L1: the demonstration's lot, calculated and issued (one of its batches shown). */
export const lotExample = {
  id: "L1",
  refurbisher: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  lotRef: "demo-lot-1",
  status: "calculated",
  asOf: "2026-12-02",
  reportHash: "0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04",
  referenceDataSha256: "eaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c",
  submittedAt: "2026-12-02T04:02:11.208Z",
  summary: {
    method: "ITEC-CALC 1.0",
    params: "ITEC-PARAMS-1",
    asOf: "2026-12-02",
    devices: 43,
    eligible: 35,
    excluded: {
      NO_ERASURE_CERTIFICATE: 1,
      SERIAL_DUPLICATE: 2,
      TOO_OLD: 1,
      MAINBOARD_REPLACED: 1,
      CATEGORY_UNKNOWN: 1,
      BAD_INPUT: 1,
      SECOND_LIFE_TOO_SHORT: 1,
    },
    problems: 1,
    problemGroups: [
      {
        column: 6,
        field: "refurbished_date",
        value: "2025-13-01",
        expected: "a calendar date as YYYY-MM-DD",
        rows: 1,
        lines: [[43, 43]],
      },
    ],
    moreProblemGroups: 0,
    missingTransport: 0,
    batches: [
      {
        category: "laptop",
        eligible: 12,
        certificates: 12,
        baselineKg: "194.660",
        reductionKg: "47.959",
        relU: "0.299",
        issued: true,
        reason: null,
      },
      {
        category: "desktop",
        eligible: 6,
        certificates: 6,
        baselineKg: "202.704",
        reductionKg: "58.851",
        relU: "0.276",
        issued: true,
        reason: null,
      },
    ],
  },
  error: null,
  batches: [lotBatchExample],
  links: { self: "http://127.0.0.1:8080/lots/L1", report: "http://127.0.0.1:8080/lots/L1/report" },
};

/** GET /batches/L1-server: the batch job with its history. */
export const batchJobDetailExample = {
  ...batchJobExample,
  ...{
    transitions: [
      { from: null, to: "submitted", at: "2026-12-02T04:02:11.208Z", note: null },
      { from: "submitted", to: "calculated", at: "2026-12-02T04:02:11.280Z", note: "2 eligible of 2 devices" },
      {
        from: "calculated",
        to: "awaiting_signatures",
        at: "2026-12-02T04:02:11.286Z",
        note: "attestation built; waiting for auditors",
      },
      { from: "awaiting_signatures", to: "ready", at: "2026-12-02T04:02:12.719Z", note: "2 of 2 auditor signatures" },
      {
        from: "ready",
        to: "posted",
        at: "2026-12-02T04:02:13.665Z",
        note: "issue tx 0x5141b76c42cbb38376ec304a4e07adc899149c6d71555735abc66325dcdb4da3 (nonce 5)",
      },
      { from: "posted", to: "confirmed", at: "2026-12-02T04:02:13.730Z", note: "minted as batch #6 in block 14" },
    ],
    signatures: [
      {
        auditor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        status: "accepted",
        reason: null,
        at: "2026-12-02T04:02:12.591Z",
        digest: "0xe179cb7bac07510b2749a4a207652a7583550551a423b75293302d66f8d96d81",
      },
      {
        auditor: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        status: "accepted",
        reason: null,
        at: "2026-12-02T04:02:12.718Z",
        digest: "0xe179cb7bac07510b2749a4a207652a7583550551a423b75293302d66f8d96d81",
      },
    ],
    transactions: [
      {
        hash: "0x5141b76c42cbb38376ec304a4e07adc899149c6d71555735abc66325dcdb4da3",
        nonce: 5,
        status: "mined",
        blockNumber: 14,
      },
    ],
  },
};

/** GET /batches/L1-server/attestation: what the auditors signed. */
export const attestationExample = {
  batchId: "L1-server",
  lotId: "L1",
  state: "confirmed",
  digest: "0xe179cb7bac07510b2749a4a207652a7583550551a423b75293302d66f8d96d81",
  deadline: "2026-12-16T04:02:11.000Z",
  typedData: {
    types: {
      Attestation: ATTESTATION_TYPES.Attestation.map((f) => ({ name: f.name, type: f.type })),
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
    },
    domain: {
      name: "I-TEC Registry",
      version: "1",
      chainId: "0x539",
      verifyingContract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    },
    primaryType: "Attestation",
    message: {
      owner: "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
      category: "6",
      certificates: "2",
      baselineGrams: "962385",
      reductionGrams: "314050",
      vintageStart: "1749513600",
      vintageEnd: "1749513600",
      methodology: "ITEC-CALC 1.0",
      parameters: "ITEC-PARAMS-1",
      reportHash: "0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04",
      referenceDataHash: "0xeaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c",
      deviceRoot: "0x92b13bbcd9c7980095516c4defaea1363887ff95fd2bbcbf849ce70c59467d8d",
      sampleHash: "0x3f0b6f2ad54a1d9a3c2d3b8b1c1f43e2c5a55e0d0a6c6f1c1d5f3d7a9b2e4c81",
      evidenceURI: "http://127.0.0.1:8080/lots/L1/report",
      deadline: "1797393731",
    },
  },
  review: {
    category: "server",
    certificates: 2,
    baselineKgPerDevice: "962.385",
    reductionKgPerDevice: "314.050",
    certifiedIntensityKgPerDevice: "648.335",
    totalReductionKg: "628.100",
    vintage: { start: "2025-06-10", end: "2025-06-10" },
    methodology: "ITEC-CALC 1.0",
    parameters: "ITEC-PARAMS-1",
    reportHash: "0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04",
    referenceDataSha256: "eaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c",
    deviceRoot: "0x92b13bbcd9c7980095516c4defaea1363887ff95fd2bbcbf849ce70c59467d8d",
    evidenceURI: "http://127.0.0.1:8080/lots/L1/report",
    owner: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    registry: { chainId: "1337", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3" },
  },
  signatures: [
    {
      auditor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      status: "accepted",
      reason: null,
      at: "2026-12-02T04:02:12.591Z",
      digest: "0xe179cb7bac07510b2749a4a207652a7583550551a423b75293302d66f8d96d81",
    },
    {
      auditor: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      status: "accepted",
      reason: null,
      at: "2026-12-02T04:02:12.718Z",
      digest: "0xe179cb7bac07510b2749a4a207652a7583550551a423b75293302d66f8d96d81",
    },
  ],
  threshold: 2,
};

/** GET /status after the demonstration. */
export const metricsExample = {
  batchesByState: {
    submitted: 0,
    calculated: 0,
    awaiting_signatures: 0,
    ready: 0,
    posted: 0,
    confirmed: 6,
    rejected: 0,
    not_issuable: 0,
    failed: 0,
  },
  counters: {
    lotsSubmitted: 1,
    signaturesAccepted: 12,
    signaturesRefused: 0,
    signaturesUnattributed: 0,
    attestationsRenewed: 0,
    transactionsSent: 6,
    transactionsRebroadcast: 0,
    transientRetries: 0,
    stepFailures: 0,
    leaseWaits: 0,
    reverts: 0,
    batchesConfirmed: 6,
  },
};

/** POST /lots: two laptops as JSON rows (the CSV's columns, docs/methodology.md §4), with the lot's options. */
export const lotRequestExample = {
  lotId: "2026-W49-laptops",
  asOf: "2026-12-02",
  defaultTransport: "hgv:600;van:250",
  devices: [
    {
      serial: "CN0LAT54100",
      manufacturer: "Dell",
      model: "Latitude 5410",
      category: "laptop",
      manufacture_date: "2022-03",
      refurbished_date: "2025-11-20",
      second_life_months: 36,
      parts: "battery:56Wh",
      ship_mass_kg: 1.8,
      transport: "",
      test_report_id: "TR-2025-0101",
      erasure_certificate_id: "EC-2025-0101",
    },
    {
      serial: "CN0LAT54101",
      manufacturer: "Dell",
      model: "Latitude 5410",
      category: "laptop",
      manufacture_date: "2022-03",
      refurbished_date: "2025-11-20",
      second_life_months: 36,
      parts: "",
      ship_mass_kg: 1.8,
      transport: "",
      test_report_id: "TR-2025-0102",
      erasure_certificate_id: "EC-2025-0102",
    },
  ],
};

/** POST /batches/L1-server/signatures: the first auditor's signature of the attestation's EIP-712 digest. */
export const signatureRequestExample = {
  auditor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  signature:
    "0x0bd35f58837815228f55160d7d87b9fe9d4a2ad55730b8d24a996b178a9a01486e61ccc55c5b5895d5c9f2718e9b825049f2da6dc79acb426bdb38381f25b5eb1b",
};

/** POST /batches/L1-server/rejections: an auditor refuses, with the reason it signed. */
export const rejectionRequestExample = {
  auditor: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  reason: "erasure certificates EC-2025-0040 to EC-2025-0042 are not in the ITAD's register",
  signature:
    "0x14d51174bd5eae9ffd9e70b02577346022a12d95ca9684abad9a0247b55c21580116a815abdd499d106aeca2d4df1b53671fa4291569e02ad4165ceb785153d51c",
};

/** The batch job before it is minted: no token id, no certificate link yet. */
const { certificate: _certificate, ...unmintedLinks } = batchJobExample.links;

/** POST /batches/L1-server/signatures' answer: the second signature made the batch ready to post. */
export const signedBatchExample = { ...batchJobExample, state: "ready", tokenId: null, links: unmintedLinks };

/** POST /batches/L1-server/rejections' answer. */
export const rejectedBatchExample = {
  ...signedBatchExample,
  state: "rejected",
  reason: rejectionRequestExample.reason,
};
