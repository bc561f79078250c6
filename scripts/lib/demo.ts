/**
 * The first-start demonstration: the whole registry working end to end through the API, with each role signing
 * in its own (dev) wallet — the admin admits the participants under their organisations' names, registers two
 * auditing bodies and accredits one auditor for each, the refurbisher submits a lot, both auditors review and
 * sign, the oracle posts, the refurbisher sells certificates to a corporate, which retires some against a Scope 3
 * claim.
 *
 * Resumable: every step first checks, on the chain or in the oracle's store (through the API), whether an earlier,
 * interrupted run already did it (participant admitted, body registered, auditor accredited, threshold set, lot
 * stored, signature accepted, batch minted, certificates transferred, retirement made) and skips it, so
 * `npm start` after a Ctrl-C in the middle of the demonstration completes it.
 */
import { readFileSync } from "node:fs";

import { AbiCoder, keccak256, type HDNodeWallet, type JsonRpcProvider } from "ethers";

import { CATEGORIES } from "../../sdk/src/enums.ts";
import { registryAt, registryInterface } from "../../sdk/src/registry.ts";
import type { LotSummary } from "../../oracle/src/index.ts";
import { ApiError, ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import { exclusionText } from "./problem-lines.ts";

export interface DemoWallets {
  admin: HDNodeWallet;
  auditor1: HDNodeWallet;
  auditor2: HDNodeWallet;
  refurbisher: HDNodeWallet;
  corporate: HDNodeWallet;
}

export interface DemoResult {
  lotId: string;
  batches: { id: string; category: string; state: string; certificates: number; tokenId: string | null }[];
  retirementId: string;
  verifyUrl: string;
}

interface LotAnswer {
  id: string;
  lotRef: string;
  status: string;
  reportHash: string;
  summary: LotSummary;
  batches: { id: string; category: string; state: string; certificates: number; tokenId: string | null }[];
}

/** The lot reference the demonstration submits its lot under (unique per refurbisher: how a rerun finds it). */
export const DEMO_LOT_REF = "demo-lot-1";
/** The organisation names the demonstration's participants are admitted under. */
export const DEMO_NAMES = { refurbisher: "Refurb Co", corporate: "Acme Corporation" } as const;
/** The demonstration's auditing bodies (ids 1 and 2 on a fresh registry), one per dev auditor. */
export const DEMO_BODIES = ["Audit Body A", "Audit Body B"] as const;
const BENEFICIARY = "Acme Corporation";
/** Batch states from which a batch gets (or got) minted. */
const ISSUABLE = ["awaiting_signatures", "ready", "posted", "confirmed"];

type BatchJob = LotAnswer["batches"][number] & {
  error: string | null;
  digest: string | null;
  signatures: { auditor: string; status: string; digest: string }[];
};

/**
 * Step 2: the refurbisher (signed in on `api`) submits the sample lot exactly as the file says — no options, so
 * `itec calc` on the same file gives the same figures, and the demonstration prints that command — and prints the
 * calculation. A lot stored by an earlier start is found again (`resumed`): the identical lot answers 200, and
 * one stored from an older sample file answers LOT_DUPLICATE with its id.
 */
export async function submitDemoLot(
  api: ApiClient,
  lotCsv: string,
  refurbisher: string,
  say: (line: string) => void,
): Promise<{ lot: LotAnswer; resumed: boolean; calcCommand: string }> {
  let lot: LotAnswer;
  let resumed: boolean;
  try {
    const sent = await api.send<LotAnswer>("POST", `/lots?lotRef=${DEMO_LOT_REF}`, readFileSync(lotCsv, "utf8"), {
      "content-type": "text/csv",
    });
    lot = sent.body;
    resumed = sent.status === 200;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "LOT_DUPLICATE" && typeof error.body.lotId === "string")) {
      throw error;
    }
    lot = await api.get<LotAnswer>(`/lots/${error.body.lotId}`);
    resumed = true;
  }
  if (lot.status !== "calculated") throw new Error(`the demonstration lot ${lot.id} is ${lot.status}`);
  if (resumed) say(`  ✓ submit lot ${DEMO_LOT_REF} as ${lot.id} (done by an earlier start)`);
  const s = lot.summary;
  // The report records the lot's reference and the refurbisher too: with them, the same reportHash as on the chain.
  const calcCommand = `npx itec calc ${lotCsv} --as-of ${s.asOf} --lot-id ${lot.lotRef} --refurbisher ${refurbisher}`;
  // The exclusions as `itec calc` prints them (same order), so the two outputs compare line by line.
  say(`  lot ${lot.id}: ${s.devices} devices, ${s.eligible} eligible; excluded ${exclusionText(s.excluded) || "none"}`);
  say(`  reportHash ${lot.reportHash}`);
  say("  category     eligible  I-TECs  B̄ kg/device  V̄ kg/device  relU    issued");
  for (const b of s.batches) {
    say(
      `  ${b.category.padEnd(12)} ${String(b.eligible).padStart(8)} ${String(b.certificates).padStart(7)} ${b.baselineKg.padStart(12)} ${b.reductionKg.padStart(12)}  ${(b.relU ?? "—").padEnd(6)}  ${b.issued ? "yes" : `no (${b.reason})`}`,
    );
  }
  say(`  the same calculation on your machine, device by device: ${calcCommand}`);
  return { lot, resumed, calcCommand };
}

export async function runDemo(options: {
  apiUrl: string;
  provider: JsonRpcProvider;
  registry: string;
  wallets: DemoWallets;
  lotCsv: string;
  say: (line: string) => void;
  /** Called after each of the six steps (1–6) has completed. */
  afterStep?: (step: number) => Promise<void>;
}): Promise<DemoResult> {
  const { apiUrl, wallets: w, say } = options;
  const afterStep = options.afterStep ?? (() => Promise.resolve());
  const registry = registryAt(options.registry, options.provider);
  const client = (signer: HDNodeWallet) => {
    const c = new ApiClient(apiUrl);
    return { c, signer: signer.connect(options.provider) };
  };
  const relay = async (who: { c: ApiClient; signer: HDNodeWallet }, tx: UnsignedTx) => {
    const hash = await who.c.signAndRelay(who.signer, tx);
    say(`  ✓ ${tx.description}  (tx ${hash.slice(0, 10)}…)`);
    return hash;
  };
  const skip = (what: string) => say(`  ✓ ${what} (done by an earlier start)`);

  say(
    "1. The registry admin admits the participants, registers two auditing bodies and accredits an auditor of each " +
      "(unsigned txs from the API, signed in the admin's wallet)",
  );
  const admin = client(w.admin);
  await admin.c.signIn(admin.signer);
  for (const [who, kind] of [
    [w.refurbisher, "refurbisher"],
    [w.corporate, "corporate"],
  ] as const) {
    const name = DEMO_NAMES[kind];
    if ((await registry.participant(who.address)).status !== 0n) {
      skip(`admit ${who.address} as ${kind} "${name}"`);
      continue;
    }
    await relay(admin, await admin.c.post<UnsignedTx>("/admin/participants", { account: who.address, kind, name }));
  }
  // One body per auditor: the threshold counts bodies, so two addresses of one body would count once.
  const latest = (await options.provider.getBlock("latest"))!.timestamp;
  const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
  for (const [i, auditor] of [w.auditor1, w.auditor2].entries()) {
    const bodyId = i + 1;
    const name = DEMO_BODIES[i]!;
    if ((await registry.auditorBodyCounts()).registered >= BigInt(bodyId)) skip(`register auditing body "${name}"`);
    else await relay(admin, await admin.c.post<UnsignedTx>("/admin/auditor-bodies", { name }));
    if ((await registry.accreditation(auditor.address)).bodyId !== 0n) {
      skip(`accredit ${auditor.address} for auditing body #${bodyId}`);
      continue;
    }
    const accreditation = {
      bodyId,
      categories: [...CATEGORIES],
      validFrom: day(latest - 86_400),
      validUntil: day(latest + 10 * 365 * 86_400),
    };
    await relay(
      admin,
      await admin.c.request<UnsignedTx>("PUT", `/admin/auditors/${auditor.address}/accreditation`, accreditation),
    );
  }
  if ((await registry.auditorThreshold()) === 2n) skip("require signatures of 2 auditing bodies");
  else await relay(admin, await admin.c.request<UnsignedTx>("PUT", "/admin/auditors/threshold", { threshold: 2 }));
  await afterStep(1);

  say("2. The refurbisher submits its lot (CSV) — ITEC-CALC 1.0 runs on submission");
  const refurbisher = client(w.refurbisher);
  await refurbisher.c.signIn(refurbisher.signer);
  const { lot } = await submitDemoLot(refurbisher.c, options.lotCsv, refurbisher.signer.address, say);
  await afterStep(2);

  say("3. The two auditing bodies' auditors review each attestation and sign it in their own wallets (EIP-712)");
  const issuable = lot.batches.filter((b) => ISSUABLE.includes(b.state));
  for (const b of issuable) {
    let signed = 0;
    let skipped = 0;
    for (const auditor of [w.auditor1, w.auditor2]) {
      const job = await refurbisher.c.get<BatchJob>(`/batches/${b.id}`);
      const already = job.signatures.some(
        (x) =>
          x.status === "accepted" &&
          x.digest === job.digest &&
          x.auditor.toLowerCase() === auditor.address.toLowerCase(),
      );
      // Past "awaiting_signatures" the batch has all the signatures it needs (or is minted already).
      if (already || job.state !== "awaiting_signatures") {
        skipped++;
        continue;
      }
      const view = await refurbisher.c.get<{
        typedData: {
          domain: Record<string, unknown>;
          types: Record<string, { name: string; type: string }[]>;
          message: Record<string, unknown>;
        };
        review: { certificates: number; reductionKgPerDevice: string };
      }>(`/batches/${b.id}/attestation`);
      const { EIP712Domain: _d, ...types } = view.typedData.types;
      const signature = await auditor.signTypedData(view.typedData.domain, types, view.typedData.message);
      try {
        await new ApiClient(apiUrl).post(`/batches/${b.id}/signatures`, { auditor: auditor.address, signature });
        signed++;
      } catch (error) {
        // Signed meanwhile, or no longer taking signatures: either way nothing is left to do for this auditor.
        if (!(error instanceof ApiError && ["ALREADY_SIGNED", "BATCH_STATE"].includes(error.code))) throw error;
        skipped++;
      }
    }
    if (signed === 0) skip(`${b.id} signed by 2 auditors`);
    else say(`  ✓ ${b.id} signed by 2 auditors${skipped > 0 ? ` (${skipped} signature from an earlier start)` : ""}`);
  }
  await afterStep(3);

  say("4. The oracle posts the attested batches; the contract checks the signatures and mints");
  const minted: LotAnswer["batches"] = [];
  for (const b of issuable) {
    for (let i = 0; ; i++) {
      const job = await refurbisher.c.get<BatchJob>(`/batches/${b.id}`);
      if (job.state === "confirmed") {
        minted.push(job);
        say(`  ✓ ${b.id} minted as batch #${job.tokenId}: ${job.certificates} I-TECs to the refurbisher`);
        break;
      }
      if (job.state === "failed" || job.state === "rejected")
        throw new Error(`${b.id} ${job.state}: ${job.error ?? ""}`);
      if (i > 600) throw new Error(`${b.id} not minted after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (minted.length === 0) throw new Error("the demonstration lot produced no issuable batch");
  const sold = minted.reduce((a, b) => (b.certificates > a.certificates ? b : a));
  const amount = Math.min(sold.certificates, 10);
  const retireAmount = Math.max(1, Math.floor(amount / 2));
  const purpose = `FY2026 refurbished ${sold.category} procurement (CDP C6.5, Scope 3 category 2)`;
  await afterStep(4);

  // Done already? A retirement by the corporate of this batch with this claim (newest first: made last).
  const claimHash = keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [BENEFICIARY, purpose]));
  let retirementId: string | undefined;
  for (let id = await registry.retirementCount(); id > 0n && retirementId === undefined; id--) {
    const r = await registry.retirement(id);
    if (
      r.account.toLowerCase() === w.corporate.address.toLowerCase() &&
      String(r.batchId) === sold.tokenId &&
      r.claimHash === claimHash
    ) {
      retirementId = String(id);
    }
  }

  say(`5. The refurbisher transfers ${amount} I-TECs of batch #${sold.tokenId} to the corporate`);
  if (retirementId !== undefined || (await registry.balanceOf(w.corporate.address, sold.tokenId!)) >= BigInt(amount)) {
    skip(`transfer ${amount} I-TEC of batch #${sold.tokenId} to ${w.corporate.address}`);
  } else {
    await relay(
      refurbisher,
      await refurbisher.c.post<UnsignedTx>("/tx/transfer", {
        to: w.corporate.address,
        items: [{ batchId: sold.tokenId, amount: String(amount) }],
      }),
    );
  }
  await afterStep(5);

  say(`6. The corporate retires ${retireAmount} of them against its FY2026 claim (burn + claim stored on-chain)`);
  if (retirementId !== undefined) {
    skip(`retirement #${retirementId} of ${retireAmount} I-TEC of batch #${sold.tokenId} for ${BENEFICIARY}`);
  } else {
    const corporate = client(w.corporate);
    await corporate.c.signIn(corporate.signer);
    const hash = await relay(
      corporate,
      await corporate.c.post<UnsignedTx>("/tx/retire", {
        batchId: sold.tokenId,
        amount: String(retireAmount),
        beneficiaryName: BENEFICIARY,
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 2,
        purpose,
      }),
    );
    const receipt = await options.provider.getTransactionReceipt(hash);

    const retired = receipt!.logs
      .map((l) => registryInterface.parseLog(l))
      .find((p) => p?.name === "CertificatesRetired");
    retirementId = String(retired!.args[0]);
  }
  await afterStep(6);
  return {
    lotId: lot.id,
    batches: lot.batches.map((b) => minted.find((m) => m.id === b.id) ?? b),
    retirementId,
    verifyUrl: `${apiUrl}/verify/retirements/${retirementId}`,
  };
}
