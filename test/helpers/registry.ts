/**
 * Shared fixture for contract tests and the gas benchmark: a deployed registry with an admin, an issuer, three
 * auditors, admitted participants and a registered methodology — all Hardhat's well-known TEST accounts.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroHash, keccak256, toUtf8Bytes, type Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import {
  attestationDomain,
  ATTESTATION_TYPES,
  sortSignatures,
  type Attestation,
  type AuditorSignature,
} from "../../sdk/src/attestation.ts";
import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import type { IITECRegistry as ITECRegistry } from "../../types/ethers-contracts/index.ts";

export const METHOD = "ITEC-CALC 1.0";
export const PARAMS = "ITEC-PARAMS-1";
export const DAY = 86_400n;
/** Every device category (bits 1..6): what the fixture's auditors are accredited for. */
export const ALL_CATEGORIES = 0x7e;
/** Seconds a scheduled admin transfer waits in the fixture (OpenZeppelin AccessControlDefaultAdminRules). */
export const ADMIN_DELAY = 2n * DAY;

export interface RegistryFixture {
  registry: ITECRegistry;
  address: string;
  chainId: bigint;
  admin: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  auditors: HardhatEthersSigner[];
  refurbisher: HardhatEthersSigner;
  corporate: HardhatEthersSigner;
  trader: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  now: bigint;
}

/**
 * Deploys the extension, then the registry that delegates to it, and returns the registry under its whole ABI
 * (`IITECRegistry`: the registry's own functions and the extension's).
 */
export async function deployRegistryContracts(
  connection: NetworkConnection,
  admin: string,
  externalBaseURI: string,
  adminDelay: bigint = ADMIN_DELAY,
): Promise<ITECRegistry> {
  const { ethers } = connection;
  const extension = await ethers.deployContract("ITECRegistryExtension");
  const deployed = await ethers.deployContract("ITECRegistry", [
    admin,
    adminDelay,
    externalBaseURI,
    await extension.getAddress(),
  ]);
  return (await ethers.getContractAt("IITECRegistry", await deployed.getAddress())) as unknown as ITECRegistry;
}

/** Deploys and configures a registry on `connection`. */
export async function deployRegistry(connection: NetworkConnection): Promise<RegistryFixture> {
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  if (signers.length < 9) throw new Error("the fixture needs 9 accounts");
  const [admin, issuer, a1, a2, a3, refurbisher, corporate, trader, outsider] = signers as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const registry = await deployRegistryContracts(connection, admin.address, "https://registry.example/batches/");
  const address = await registry.getAddress();
  await (await registry.grantRole(await registry.ISSUER_ROLE(), issuer.address)).wait();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  // One auditing body per auditor: the threshold counts bodies (issue 13, finding 1).
  for (const [i, a] of [a1, a2, a3].entries()) {
    await (await registry.registerAuditorBody(`Audit Body ${"ABC"[i]}`)).wait();
    await (await registry.setAccreditation(a.address, i + 1, ALL_CATEGORIES, 0, now + 3650n * DAY)).wait();
  }
  await (await registry.registerMethodology(METHOD, PARAMS)).wait();
  await (await registry.admitParticipant(refurbisher.address, PARTICIPANT_KINDS.refurbisher, "Refurb Co")).wait();
  await (await registry.admitParticipant(corporate.address, PARTICIPANT_KINDS.corporate, "Corporate plc")).wait();
  await (await registry.admitParticipant(trader.address, PARTICIPANT_KINDS.trader, "Trader GmbH")).wait();
  const { chainId } = await ethers.provider.getNetwork();
  const block = await ethers.provider.getBlock("latest");
  return {
    registry,
    address,
    chainId,
    admin: admin,
    issuer: issuer,
    auditors: [a1, a2, a3],
    refurbisher: refurbisher,
    corporate: corporate,
    trader: trader,
    outsider: outsider,
    now: BigInt(block!.timestamp),
  };
}

let counter = 0;

/** A valid attestation for `owner`; every call gets a fresh report hash and device root unless overridden. */
export function makeAttestation(f: RegistryFixture, overrides: Partial<Attestation> = {}): Attestation {
  counter += 1;
  return {
    owner: f.refurbisher.address,
    category: 1,
    certificates: 100n,
    baselineGrams: 189_413n,
    reductionGrams: 34_217n,
    vintageStart: f.now - 30n * DAY,
    vintageEnd: f.now - DAY,
    methodology: METHOD,
    parameters: PARAMS,
    reportHash: keccak256(toUtf8Bytes(`report-${counter}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: keccak256(toUtf8Bytes(`root-${counter}`)),
    sampleHash: keccak256(toUtf8Bytes(`sample-${counter}`)),
    evidenceURI: `https://registry.example/lots/${counter}/report.json`,
    deadline: f.now + 30n * DAY,
    ...overrides,
  };
}

/** Signs `attestation` with each signer via eth_signTypedData_v4 and returns the sorted signatures. */
export async function signAttestation(
  f: Pick<RegistryFixture, "chainId" | "address">,
  attestation: Attestation,
  signers: Signer[],
  domainOverrides: { chainId?: bigint; verifyingContract?: string } = {},
): Promise<AuditorSignature[]> {
  const domain = attestationDomain(
    domainOverrides.chainId ?? f.chainId,
    domainOverrides.verifyingContract ?? f.address,
  );
  const signatures = await Promise.all(
    signers.map(async (s) => ({
      auditor: await s.getAddress(),
      signature: await s.signTypedData(domain, ATTESTATION_TYPES, attestation),
    })),
  );
  return sortSignatures(signatures);
}

/** Issues a batch signed by the first `signers` auditors; returns its id. */
export async function issueBatch(
  f: RegistryFixture,
  overrides: Partial<Attestation> = {},
  signers: Signer[] = [f.auditors[0]!],
): Promise<{ batchId: bigint; attestation: Attestation }> {
  const attestation = makeAttestation(f, overrides);
  const signatures = await signAttestation(f, attestation, signers);
  await (await f.registry.connect(f.issuer).issue(attestation, signatures)).wait();
  return { batchId: await f.registry.batchCount(), attestation };
}

export interface RetireOverrides {
  batchId?: bigint;
  amount?: bigint;
  beneficiaryName?: string;
  beneficiary?: string;
  periodStart?: bigint;
  periodEnd?: bigint;
  scope3Category?: number;
  purpose?: string;
}

/** A retirement request for calendar 2026, Scope 3 category 1. */
export function retirementRequest(batchId: bigint, overrides: RetireOverrides = {}) {
  return {
    batchId,
    amount: 10n,
    beneficiaryName: "Acme Corporation",
    beneficiary: "0x0000000000000000000000000000000000000000",
    periodStart: 1_767_225_600n, // 2026-01-01T00:00:00Z
    periodEnd: 1_798_761_599n, // 2026-12-31T23:59:59Z
    scope3Category: 1,
    purpose: "FY2026 laptop procurement",
    ...overrides,
  };
}

export { ZeroHash };
