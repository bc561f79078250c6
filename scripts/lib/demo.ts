/**
 * The first-start demonstration: the whole registry working end to end through the API, with each role signing
 * in its own (dev) wallet — the admin admits participants and two auditors, the refurbisher submits a lot, both
 * auditors review and sign, the oracle posts, the refurbisher sells certificates to a corporate, which retires
 * some against a Scope 3 claim.
 */
import { readFileSync } from "node:fs";

import { Interface, type HDNodeWallet, type JsonRpcProvider } from "ethers";

import type { LotSummary } from "../../oracle/src/pipeline/oracle.ts";
import { ITECRegistry__factory } from "../../types/ethers-contracts/index.ts";
import { ApiClient, type UnsignedTx } from "./api-client.ts";

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
  reportHash: string;
  summary: LotSummary;
  batches: { id: string; category: string; state: string; certificates: number; tokenId: string | null }[];
}

export async function runDemo(options: {
  apiUrl: string;
  provider: JsonRpcProvider;
  wallets: DemoWallets;
  lotCsv: string;
  say: (line: string) => void;
}): Promise<DemoResult> {
  const { apiUrl, wallets: w, say } = options;
  const client = (signer: HDNodeWallet) => {
    const c = new ApiClient(apiUrl);
    return { c, signer: signer.connect(options.provider) };
  };
  const relay = async (who: { c: ApiClient; signer: HDNodeWallet }, tx: UnsignedTx) => {
    const hash = await who.c.signAndRelay(who.signer, tx);
    say(`  ✓ ${tx.description}  (tx ${hash.slice(0, 10)}…)`);
    return hash;
  };

  say(
    "1. The registry admin admits participants and auditors (unsigned txs from the API, signed in the admin's wallet)",
  );
  const admin = client(w.admin);
  await admin.c.signIn(admin.signer);
  await relay(
    admin,
    await admin.c.post<UnsignedTx>("/admin/participants", { account: w.refurbisher.address, kind: "refurbisher" }),
  );
  await relay(
    admin,
    await admin.c.post<UnsignedTx>("/admin/participants", { account: w.corporate.address, kind: "corporate" }),
  );
  await relay(admin, await admin.c.post<UnsignedTx>("/admin/auditors", { account: w.auditor1.address }));
  await relay(admin, await admin.c.post<UnsignedTx>("/admin/auditors", { account: w.auditor2.address }));
  await relay(admin, await admin.c.request<UnsignedTx>("PUT", "/admin/auditors/threshold", { threshold: 2 }));

  say("2. The refurbisher submits its lot (CSV) — ITEC-CALC 1.0 runs on submission");
  const refurbisher = client(w.refurbisher);
  await refurbisher.c.signIn(refurbisher.signer);
  const lot = await refurbisher.c.post<LotAnswer>(
    "/lots?defaultTransport=hgv:600;van:250&lotRef=demo-lot-1",
    readFileSync(options.lotCsv, "utf8"),
    { "content-type": "text/csv" },
  );
  const s = lot.summary;
  say(
    `  lot ${lot.id}: ${s.devices} devices, ${s.eligible} eligible; excluded ${
      Object.entries(s.excluded)
        .map(([k, v]) => `${k} ×${v}`)
        .join(", ") || "none"
    }`,
  );
  say(`  reportHash ${lot.reportHash}`);
  say("  category     eligible  I-TECs  B̄ kg/device  V̄ kg/device  relU    issued");
  for (const b of s.batches) {
    say(
      `  ${b.category.padEnd(12)} ${String(b.eligible).padStart(8)} ${String(b.certificates).padStart(7)} ${b.baselineKg.padStart(12)} ${b.reductionKg.padStart(12)}  ${(b.relU ?? "—").padEnd(6)}  ${b.issued ? "yes" : `no (${b.reason})`}`,
    );
  }

  say("3. Two auditors review each attestation and sign it in their own wallets (EIP-712)");
  const awaiting = lot.batches.filter((b) => b.state === "awaiting_signatures");
  for (const b of awaiting) {
    for (const auditor of [w.auditor1, w.auditor2]) {
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
      await new ApiClient(apiUrl).post(`/batches/${b.id}/signatures`, { auditor: auditor.address, signature });
    }
    say(`  ✓ ${b.id} signed by 2 auditors`);
  }

  say("4. The oracle posts the attested batches; the contract checks the signatures and mints");
  const minted: LotAnswer["batches"] = [];
  for (const b of awaiting) {
    for (let i = 0; ; i++) {
      const job = await refurbisher.c.get<LotAnswer["batches"][number] & { error: string | null }>(`/batches/${b.id}`);
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

  say(`5. The refurbisher transfers ${amount} I-TECs of batch #${sold.tokenId} to the corporate`);
  await relay(
    refurbisher,
    await refurbisher.c.post<UnsignedTx>("/tx/transfer", {
      to: w.corporate.address,
      items: [{ batchId: sold.tokenId, amount: String(amount) }],
    }),
  );

  say(`6. The corporate retires ${retireAmount} of them against its FY2026 claim (burn + claim stored on-chain)`);
  const corporate = client(w.corporate);
  await corporate.c.signIn(corporate.signer);
  const hash = await relay(
    corporate,
    await corporate.c.post<UnsignedTx>("/tx/retire", {
      batchId: sold.tokenId,
      amount: String(retireAmount),
      beneficiaryName: "Acme Corporation",
      periodStart: "2026-01-01",
      periodEnd: "2026-12-31",
      scope3Category: 2,
      purpose: `FY2026 refurbished ${sold.category} procurement (CDP C6.5, Scope 3 category 2)`,
    }),
  );
  const receipt = await options.provider.getTransactionReceipt(hash);
  const iface = new Interface(ITECRegistry__factory.abi);
  const retired = receipt!.logs.map((l) => iface.parseLog(l)).find((p) => p?.name === "CertificatesRetired");
  const retirementId = String(retired!.args[0]);
  return {
    lotId: lot.id,
    batches: lot.batches.map((b) => minted.find((m) => m.id === b.id) ?? b),
    retirementId,
    verifyUrl: `${apiUrl}/verify/retirements/${retirementId}`,
  };
}
