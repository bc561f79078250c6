/**
 * Example answers of the ledger routes (routes/ledger.ts): the registry `npm start` runs, after its
 * demonstration (lot L1, batches #1–#6, retirement #1). test/api/openapi.test.ts checks each against its schema.
 */

/** GET /verify/batches/1: batch #1 as the chain holds it. */
export const batchExample = {
  batchId: "1",
  category: "laptop",
  issued: "12",
  retired: "5",
  outstanding: "7",
  cancelled: "0",
  status: "active",
  hold: { adminSuspended: false, openChallenges: 0 },
  statusDetail: "the batch is active: not suspended, no open challenge, not reversed",
  reversal: null,
  baselineKgPerDevice: "194.660",
  reductionKgPerDevice: "47.959",
  certifiedIntensityKgPerDevice: "146.701",
  baselineGrams: "194660",
  reductionGrams: "47959",
  vintageStart: "2025-11-15",
  vintageEnd: "2025-11-18",
  methodology: "ITEC-CALC 1.0",
  parameters: "ITEC-PARAMS-1",
  owner: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  ownerName: "Refurb Co",
  reportHash: "0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04",
  referenceDataHash: "0xeaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c",
  deviceRoot: "0x1f825e1404ce2ee9ebcc19eb9d47594bffd642497c14fe6bbde076694a9d58f7",
  sampleHash: "0x3f0b6f2ad54a1d9a3c2d3b8b1c1f43e2c5a55e0d0a6c6f1c1d5f3d7a9b2e4c81",
  evidenceURI: "http://127.0.0.1:8080/lots/L1/report",
  auditors: ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906"],
  signers: [
    { auditor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", bodyId: 1, body: "Audit Body A" },
    { auditor: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", bodyId: 2, body: "Audit Body B" },
  ],
  issuance: {
    txHash: "0x97b8dae111e1a7d2ea9ba08e5f88b25badccc22f640fb11316047b90ee380712",
    blockNumber: 9,
    timestamp: "2026-12-02T04:02:12.000Z",
  },
};

/** GET /verify/retirements/1: retirement #1 checked against the chain. */
export const retirementExample = {
  retirementId: "1",
  verified: true,
  verdict: "verified",
  summary: "Retirement #1 is verified: 5 I-TEC (laptop) retired for Acme Corporation from batch #1.",
  claimStatus: { status: "verified", batchId: "1", originalBatchId: "1", replacements: 0, history: [], owedBy: null },
  chain: { chainId: "1337", registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3", checkedAtBlock: 16 },
  claim: {
    account: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    accountName: "Acme Corporation",
    operator: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    operatorName: "Acme Corporation",
    beneficiaryName: "Acme Corporation",
    beneficiary: null,
    beneficiaryAccountName: null,
    onBehalf: null,
    amount: "5",
    periodStart: "2026-01-01T00:00:00.000Z",
    periodEnd: "2026-12-31T23:59:59.000Z",
    scope3Category: 2,
    purpose: "FY2026 refurbished laptop procurement (CDP C6.5, Scope 3 category 2)",
    claimHash: "0x092afdc5d2eecc2143dc9a2f751d8fd2b834456a23adc3c55a6c83015124dc2a",
  },
  proof: {
    txHash: "0x61a5ceaeea8b9a1059d2191b93146bf2946e64c566caf2b585bbf44703735678",
    blockNumber: 16,
    blockHash: "0x2b345150f1f1dcbe855f3344881c57e0825a4ea3debf7f23a4cf618260f495cb",
    timestamp: "2026-12-02T04:02:14.000Z",
  },
  batch: batchExample,
  totals: { certificates: "5", unit: "I-TEC = one verified refurbished device", reductionKgClaimed: "239.795" },
  checks: [
    {
      check: "retirement stored in contract state",
      passed: true,
      detail: "retirement(1) on 0x5FbDB2315678afecb367f032d93F642f64180aa3 returned the claim",
    },
    {
      check: "claim texts bound to the stored hash",
      passed: true,
      detail:
        "keccak256(abi.encode(beneficiaryName, purpose)) equals the stored claimHash 0x092afdc5d2eecc2143dc9a2f751d8fd2b834456a23adc3c55a6c83015124dc2a",
    },
    {
      check: "certificates burned",
      passed: true,
      detail:
        "CertificatesRetired in tx 0x61a5ceaeea8b9a1059d2191b93146bf2946e64c566caf2b585bbf44703735678 (block 16); the tokens were burned in the same transaction",
    },
    {
      check: "claim not reversed",
      passed: true,
      detail: "claimStatus(1) = verified: the claim rests on batch #1, where it was retired",
    },
    {
      check: "batch issued against an audited attestation",
      passed: true,
      detail:
        "BatchIssued in tx 0x97b8dae111e1a7d2ea9ba08e5f88b25badccc22f640fb11316047b90ee380712, signed by 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC for Audit Body A, 0x90F79bf6EB2c4f870365E785982E1f101E93b906 for Audit Body B",
    },
    {
      check: "report hash indexes this batch",
      passed: true,
      detail: "batchOfReport(0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04, laptop) = 1",
    },
    {
      check: "batch not suspended or reversed",
      passed: true,
      detail: "the batch is active: not suspended, no open challenge, not reversed",
    },
  ],
  statement:
    "Read from chain 1337 at block 16, registry 0x5FbDB2315678afecb367f032d93F642f64180aa3: ✓ retirement stored in contract state; ✓ claim texts bound to the stored hash; ✓ certificates burned; ✓ claim not reversed; ✓ batch issued against an audited attestation; ✓ report hash indexes this batch; ✓ batch not suspended or reversed. Nothing in this answer comes from the registry's own database.",
};

/** GET /certificates/1. */
export const certificateBatchExample = {
  ...batchExample,
  metadataURI: "http://127.0.0.1:8080/certificates/1/metadata",
};

/** GET /certificates/1/metadata: what the contract's uri(1) renders, decoded. */
/** Rendered by the contract for batch 1 (its `image` is the SVG card wallets show). */
export const certificateMetadataExample = {
  name: "I-TEC batch #1 (laptop)",
  description:
    "IT Asset Reuse Certificates: one I-TEC per verified refurbished device. Lower carbon intensity than a new equivalent, not an offset.",
  decimals: 0,
  external_url: "http://127.0.0.1:8080/verify/batches/1",
  image:
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI0MDAiIGhlaWdodD0iNDAwIiB2aWV3Qm94PSIwIDAgNDAwIDQwMCIgZm9udC1mYW1pbHk9InNhbnMtc2VyaWYiIGZvbnQtc2l6ZT0iMTUiIGZpbGw9IiMxNzI1MWQiPjxyZWN0IHdpZHRoPSI0MDAiIGhlaWdodD0iNDAwIiBmaWxsPSIjZjRmN2Y0Ii8+PHJlY3Qgd2lkdGg9IjQwMCIgaGVpZ2h0PSI3MiIgZmlsbD0iIzFmN2E0ZCIvPjxyZWN0IHg9IjI0IiB5PSIzMzYiIHdpZHRoPSIzNTIiIGhlaWdodD0iNDQiIHJ4PSI4IiBmaWxsPSIjMWY3YTRkIi8+PGcgZmlsbD0iI2ZmZiIgZm9udC13ZWlnaHQ9IjcwMCI+PHRleHQgeD0iMjQiIHk9IjQ3IiBmb250LXNpemU9IjMwIj5JLVRFQzwvdGV4dD48dGV4dCB4PSIzNzYiIHk9IjQ3IiBmb250LXNpemU9IjIwIiB0ZXh0LWFuY2hvcj0iZW5kIj5iYXRjaCAjMTwvdGV4dD48dGV4dCB4PSIyMDAiIHk9IjM2NSIgZm9udC1zaXplPSIxOCIgdGV4dC1hbmNob3I9Im1pZGRsZSIgbGV0dGVyLXNwYWNpbmc9IjIiPkFDVElWRTwvdGV4dD48L2c+PHRleHQgeD0iMjQiIHk9IjExMiIgZm9udC1zaXplPSIyNCIgZm9udC13ZWlnaHQ9IjcwMCI+bGFwdG9wPC90ZXh0Pjx0ZXh0IHg9IjI0IiB5PSIxMzQiIGZvbnQtc2l6ZT0iMTIiIGZpbGw9IiM0YTVhNTAiPmtnIENP4oKCZSBwZXIgZGV2aWNlPC90ZXh0Pjx0ZXh0IHg9IjI0IiB5PSIxNjgiPkLMhCBiYXNlbGluZTwvdGV4dD48dGV4dCB4PSIyNCIgeT0iMTk2Ij5WzIQgdmVyaWZpZWQgcmVkdWN0aW9uPC90ZXh0Pjx0ZXh0IHg9IjI0IiB5PSIyMjQiPkLMhCDiiJIgVsyEIGNlcnRpZmllZCBpbnRlbnNpdHk8L3RleHQ+PHRleHQgeD0iMjQiIHk9IjI2MCI+VmludGFnZTwvdGV4dD48dGV4dCB4PSIyNCIgeT0iMjg4Ij5Jc3N1ZWQ8L3RleHQ+PGcgZm9udC13ZWlnaHQ9IjcwMCIgdGV4dC1hbmNob3I9ImVuZCI+PHRleHQgeD0iMzc2IiB5PSIxNjgiPjE5NC42NjA8L3RleHQ+PHRleHQgeD0iMzc2IiB5PSIxOTYiPjQ3Ljk1OTwvdGV4dD48dGV4dCB4PSIzNzYiIHk9IjIyNCI+MTQ2LjcwMTwvdGV4dD48dGV4dCB4PSIzNzYiIHk9IjI2MCI+MjAyNS0xMS0xNSDigJMgMjAyNS0xMS0xODwvdGV4dD48dGV4dCB4PSIzNzYiIHk9IjI4OCI+MTI8L3RleHQ+PC9nPjx0ZXh0IHg9IjI0IiB5PSIzMTgiIGZvbnQtc2l6ZT0iMTIiIGZpbGw9IiM0YTVhNTAiPk1ldGhvZG9sb2d5OiBJVEVDLUNBTEMgMS4wPC90ZXh0Pjwvc3ZnPg==",
  attributes: [
    {
      trait_type: "Category",
      value: "laptop",
    },
    {
      trait_type: "Baseline (kg CO2e per device)",
      value: "194.660",
    },
    {
      trait_type: "Verified reduction (kg CO2e per device)",
      value: "47.959",
    },
    {
      trait_type: "Certified intensity (kg CO2e per device)",
      value: "146.701",
    },
    {
      trait_type: "Vintage start",
      value: "2025-11-15",
    },
    {
      trait_type: "Vintage end",
      value: "2025-11-18",
    },
    {
      trait_type: "Issued",
      display_type: "number",
      value: 12,
    },
    {
      trait_type: "Methodology",
      value: "ITEC-CALC 1.0",
    },
    {
      trait_type: "Status",
      value: "active",
    },
  ],
  properties: {
    category: "laptop",
    baseline_kgco2e_per_device: "194.660",
    verified_reduction_kgco2e_per_device: "47.959",
    certified_intensity_kgco2e_per_device: "146.701",
    issued: 12,
    status: "active",
    vintage_start: 1763164800,
    vintage_end: 1763424000,
    methodology: "ITEC-CALC 1.0",
    parameters: "ITEC-PARAMS-1",
  },
};

/** How far the event index has caught up (every listing carries it). */
export const indexStatusExample = { lastBlock: 16, head: 16, lagBlocks: 0 };

/** GET /accounts/0x976E…0aa9/balances: the corporate's certificates. */
export const balancesExample = {
  account: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
  balances: [{ batchId: "1", amount: "5" }],
  index: indexStatusExample,
};

/** GET /retirements?beneficiary=Acme. */
export const retirementListExample = {
  retirements: [
    {
      retirementId: "1",
      batchId: "1",
      originalBatchId: "1",
      replacements: 0,
      claimStatus: "verified",
      account: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
      accountName: "Acme Corporation",
      operator: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
      beneficiaryName: "Acme Corporation",
      beneficiary: null,
      amount: "5",
      periodStart: "2026-01-01T00:00:00.000Z",
      periodEnd: "2026-12-31T23:59:59.000Z",
      scope3Category: 2,
      purpose: "FY2026 refurbished laptop procurement (CDP C6.5, Scope 3 category 2)",
      claimHash: "0x092afdc5d2eecc2143dc9a2f751d8fd2b834456a23adc3c55a6c83015124dc2a",
      txHash: "0x61a5ceaeea8b9a1059d2191b93146bf2946e64c566caf2b585bbf44703735678",
      blockNumber: 16,
      logIndex: 1,
      blockTime: "2026-12-02T04:02:14.000Z",
    },
  ],
  index: indexStatusExample,
};

/** GET /batches?category=laptop. */
export const batchListExample = {
  batches: [
    {
      batchId: "1",
      owner: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      ownerName: "Refurb Co",
      category: "laptop",
      categoryCode: 1,
      issued: "12",
      retired: "5",
      outstanding: "7",
      cancelled: "0",
      baselineGrams: "194660",
      reductionGrams: "47959",
      vintageStart: "2025-11-15",
      vintageEnd: "2025-11-18",
      methodologyId: 1,
      methodology: "ITEC-CALC 1.0",
      parameters: "ITEC-PARAMS-1",
      status: "active",
      hold: { adminSuspended: false, openChallenges: 0 },
      reportHash: "0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04",
      referenceDataHash: "0xeaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c",
      deviceRoot: "0x1f825e1404ce2ee9ebcc19eb9d47594bffd642497c14fe6bbde076694a9d58f7",
      sampleHash: "0x3f0b6f2ad54a1d9a3c2d3b8b1c1f43e2c5a55e0d0a6c6f1c1d5f3d7a9b2e4c81",
      evidenceURI: "http://127.0.0.1:8080/lots/L1/report",
      deadline: "2026-12-16T04:02:11.000Z",
      auditors: ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906"],
      txHash: "0x97b8dae111e1a7d2ea9ba08e5f88b25badccc22f640fb11316047b90ee380712",
      blockNumber: 9,
      blockTime: "2026-12-02T04:02:12.000Z",
    },
  ],
  index: indexStatusExample,
};

/** GET /participants?status=active. */
export const participantListExample = {
  participants: [
    {
      account: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      name: "Refurb Co",
      kind: "refurbisher",
      status: "active",
      admittedBlock: 4,
      admittedAt: "2026-12-02T04:02:09.000Z",
      updatedBlock: 4,
      updatedAt: "2026-12-02T04:02:09.000Z",
    },
    {
      account: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
      name: "Acme Corporation",
      kind: "corporate",
      status: "active",
      admittedBlock: 5,
      admittedAt: "2026-12-02T04:02:10.000Z",
      updatedBlock: 5,
      updatedAt: "2026-12-02T04:02:10.000Z",
    },
  ],
  index: indexStatusExample,
};

/** GET /participants/0x9965…A4dc: the demonstration's refurbisher. */
export const participantExample = {
  account: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  kind: "refurbisher",
  status: "active",
  name: "Refurb Co",
  hasCode: false,
  roles: { admin: false, auditor: false, issuer: false },
  accreditation: null,
};

/** GET /auditors. */
export const auditorsExample = {
  auditors: ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906"],
  threshold: 2,
  index: indexStatusExample,
};
