/**
 * Registry activity for the claims tests, sent straight to the contract: batches issued by an issuer of the test's
 * own (so that a running oracle service's nonces are never touched), transfers, retirements, admissions.
 */
import { keccak256, toUtf8Bytes, ZeroAddress, type ContractTransactionResponse, type Signer } from "ethers";

import type { Attestation } from "../../sdk/src/attestation.ts";
import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { devAccount } from "../../core/keys.ts";
import type { DeployedRegistry, TestChain } from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation, type RetireOverrides } from "../helpers/registry.ts";

export async function send(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionResponse> {
  const sent = await tx;
  await sent.wait();
  return sent;
}

let issued = 0;

/** Grants the issuer role to dev account `index` (once per registry) and returns it connected to the chain. */
export async function testIssuer(d: DeployedRegistry, chain: TestChain, index = 12): Promise<Signer> {
  const issuer = devAccount(index, chain.provider);
  const role = await d.registry.ISSUER_ROLE();
  if (!(await d.registry.hasRole(role, issuer.address))) {
    await send(d.adminRegistry.grantRole(role, issuer.address));
  }
  return issuer;
}

/** Issues a batch of `certificates` of `category` (1 laptop … 6 server) to the refurbisher; returns its id. */
export async function issue(
  d: DeployedRegistry,
  chain: TestChain,
  issuer: Signer,
  options: { category?: number; certificates?: bigint; reductionGrams?: bigint } = {},
): Promise<bigint> {
  issued += 1;
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const tag = `${issued}-${Math.random()}`;
  const attestation: Attestation = {
    owner: d.wallet("refurbisher").address,
    category: options.category ?? 1,
    certificates: options.certificates ?? 100n,
    baselineGrams: 189_000n,
    reductionGrams: options.reductionGrams ?? 34_000n + BigInt(issued),
    vintageStart: now - 30n * DAY,
    vintageEnd: now - DAY,
    methodology: METHOD,
    parameters: PARAMS,
    reportHash: keccak256(toUtf8Bytes(`claims-report-${tag}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: keccak256(toUtf8Bytes(`claims-root-${tag}`)),
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: `https://registry.example/lots/claims-${issued}/report.json`,
    deadline: now + 30n * DAY,
  };
  const signatures = await signAttestation({ chainId: chain.chainId, address: d.address }, attestation, [
    d.wallet("auditor1").connect(chain.provider),
  ]);
  await send(d.registry.connect(issuer).issue(attestation, signatures));
  return d.registry.batchCount();
}

/** The refurbisher sends `amount` of batch `batchId` to `to`. */
export async function transfer(d: DeployedRegistry, chain: TestChain, to: string, batchId: bigint, amount: bigint) {
  const from = d.wallet("refurbisher").connect(chain.provider);
  await send(d.registry.connect(from).safeTransferFrom(from.address, to, batchId, amount, "0x"));
}

/** `holder` (a dev wallet) retires from `batchId`; returns the retirement's id and block. */
export async function retire(
  d: DeployedRegistry,
  holder: Signer,
  batchId: bigint,
  overrides: RetireOverrides = {},
): Promise<{ id: bigint; block: number }> {
  const account = await holder.getAddress();
  const sent = await send(
    d.registry.connect(holder).retire(account, retirementRequest(batchId, { beneficiary: ZeroAddress, ...overrides })),
  );
  const receipt = await sent.wait();
  return { id: await d.registry.retirementCount(), block: receipt!.blockNumber };
}

/** The admin admits `account` as a corporate named `name`. */
export async function admit(d: DeployedRegistry, account: string, name: string): Promise<void> {
  await send(d.adminRegistry.admitParticipant(account, PARTICIPANT_KINDS.corporate, name));
}

export async function rename(d: DeployedRegistry, account: string, name: string): Promise<void> {
  await send(d.adminRegistry.renameParticipant(account, name));
}
