/**
 * The claims behind the Scope 3 report (issue 14 items 2 and 6): each retirement line names its beneficiary, batch,
 * certificates, V̄ and claim status; each is checked against the claim-quality criteria CQ1–CQ6
 * (core/claims/quality.ts, docs/claim-quality.md) and applied only when it meets them all — a reversed claim never,
 * a vintage outside the window never, a Category 1 and a Category 2 claim never in one row.
 */
import { expect } from "chai";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { QUALITY_CRITERIA, vintageWindow } from "../../core/claims/quality.ts";
import type { InventoryLine } from "../../core/documents/inventory.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import type { RetirementForReport } from "../../core/documents/scope3-types.ts";
import { ACME, retirementFactory } from "../helpers/scope3-retirements.ts";

const reference = loadReferenceTable();
const GLOBEX = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
const acme = { account: ACME, name: "Acme Corporation", rule: "BENEFICIARY_ACCOUNT" as const, detail: "named" };

const retirement = retirementFactory("Acme Corporation", { batchId: "4", amount: 2 });

const inventory: InventoryLine[] = [{ year: 2026, category: "laptop", devices: 100, pcfKgPerDevice: "300" }];
const report = (retirements: RetirementForReport[], inv: InventoryLine[] = inventory) =>
  scope3Report({
    account: ACME,
    accountName: "Acme Corporation",
    reportingYear: 2026,
    inventory: inv,
    retirements,
    reference,
  });

describe("Scope 3 report: the claims and their quality", function () {
  it("names each applied retirement's beneficiary, batch, certificates, V̄, status and quality", function () {
    const r = report([retirement(7, { claimStatus: "replaced", txHash: "0xabc", retiredBy: GLOBEX })]);
    const a = r.current.applied[0]!;
    expect(a).to.deep.include({
      retirementId: "7",
      batchId: "4",
      certificates: 2,
      reductionKgPerCertificate: "34.217",
      reductionKg: "68.434",
      reductionTCO2e: "0.068434",
      beneficiaryName: "Acme Corporation",
      beneficiaryAccount: ACME,
      retiredBy: GLOBEX,
      claimStatus: "replaced",
      txHash: "0xabc",
      attribution: acme,
    });
    expect(a.quality!.met).to.equal(true);
    expect(a.quality!.criteria.map((c) => [c.rule, c.id, c.met])).to.deep.equal([
      ["CQ1", "EXCLUSIVE_CLAIM", true],
      ["CQ2", "NOT_REVERSED", true],
      ["CQ3", "VERIFIED_BATCH", true],
      ["CQ4", "VINTAGE_WINDOW", true],
      ["CQ5", "LIKE_FOR_LIKE_DEVICE", true],
      ["CQ6", "LIKE_FOR_LIKE_SCOPE3", true],
    ]);
    expect(a.quality!.criteria[3]!.detail).to.equal(
      "vintage 2026-01-01 to 2026-03-31; the 2026 window for its end is 2025-01-01 to 2027-03-31",
    );
    expect(r.sources.qualityCriteria.map((c) => c.rule)).to.deep.equal(["CQ1", "CQ2", "CQ3", "CQ4", "CQ5", "CQ6"]);
  });

  it("never applies a reversed claim, even when the chain's checks were not given as failed", function () {
    const r = report([
      retirement(1, { claimStatus: "reversed" }),
      retirement(2, { claimStatus: "reversed", failedCheck: "claim reversed: batch #4 was found wrong" }),
    ]);
    expect(r.current.applied).to.deep.equal([]);
    expect(r.current.unapplied.map((u) => [u.retirementId, u.reason, u.failedCriterion, u.claimStatus])).to.deep.equal([
      ["1", "CLAIM_REVERSED", "NOT_REVERSED", "reversed"],
      ["2", "CLAIM_REVERSED", "NOT_REVERSED", "reversed"],
    ]);
    expect(r.current.unapplied[1]!.detail).to.equal("claim reversed: batch #4 was found wrong");
    expect(r.current.unapplied[0]!.quality!.criteria.find((c) => c.rule === "CQ2")).to.deep.include({ met: false });
  });

  it("applies a vintage ending 12 months before to 3 months after the year, and not a day beyond", function () {
    expect(vintageWindow(2026)).to.deep.equal({ from: "2025-01-01", to: "2027-03-31" });
    expect(vintageWindow(2024)).to.deep.equal({ from: "2023-01-01", to: "2025-03-31" });
    const r = report([
      retirement(1, { vintageStart: "2024-10-01", vintageEnd: "2024-12-31" }),
      retirement(2, { vintageStart: "2024-10-01", vintageEnd: "2025-01-01" }),
      retirement(3, { vintageStart: "2027-01-01", vintageEnd: "2027-03-31" }),
      retirement(4, { vintageStart: "2027-01-01", vintageEnd: "2027-04-01" }),
    ]);
    expect(r.current.applied.map((a) => a.retirementId)).to.deep.equal(["2", "3"]);
    expect(r.current.unapplied.map((u) => [u.retirementId, u.reason, u.failedCriterion])).to.deep.equal([
      ["1", "VINTAGE_OUTSIDE_WINDOW", "VINTAGE_WINDOW"],
      ["4", "VINTAGE_OUTSIDE_WINDOW", "VINTAGE_WINDOW"],
    ]);
    expect(r.current.unapplied[0]!.detail).to.equal(
      "vintage 2024-10-01 to 2024-12-31; the 2026 window for its end is 2025-01-01 to 2027-03-31",
    );
  });

  it("lists another organisation's claim and a claim of nobody with CQ1 not met", function () {
    const r = report([
      retirement(1, {
        beneficiaryName: "Globex GmbH",
        beneficiaryAccount: null,
        attribution: { account: GLOBEX, name: "Globex GmbH", rule: "BENEFICIARY_NAME", detail: "named Globex GmbH" },
      }),
      retirement(2, {
        beneficiaryName: "Initech",
        beneficiaryAccount: null,
        attribution: { account: null, name: null, rule: "NAME_UNMATCHED", detail: "matches no participant" },
      }),
    ]);
    expect(r.current.applied).to.deep.equal([]);
    expect(r.current.unapplied.map((u) => [u.reason, u.failedCriterion, u.beneficiaryName])).to.deep.equal([
      ["CLAIM_OF_ANOTHER_ORGANISATION", "EXCLUSIVE_CLAIM", "Globex GmbH"],
      ["CLAIM_OF_NO_ORGANISATION", "EXCLUSIVE_CLAIM", "Initech"],
    ]);
    expect(r.current.unapplied[0]!.quality!.criteria[0]).to.deep.equal({
      id: "EXCLUSIVE_CLAIM",
      rule: "CQ1",
      met: false,
      detail: "attributed to Globex GmbH: named Globex GmbH",
    });
  });

  it("assesses a claim of another reporting year there, not here", function () {
    const r = report([retirement(1, { periodStart: "2026-07-01T00:00:00Z", periodEnd: "2027-06-30T00:00:00Z" })]);
    expect(r.current.unapplied[0]).to.deep.include({
      reason: "ALLOCATED_TO_OTHER_YEAR",
      failedCriterion: null,
      quality: null,
    });
  });

  it("property: applied claims meet every criterion, each unapplied one names a criterion it failed, rows never mix Scope 3 categories", function () {
    let seed = 14;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const categories = ["laptop", "desktop", "server"] as const;
    for (let round = 0; round < 150; round++) {
      const split = rand(2) === 0;
      const inv: InventoryLine[] = categories
        .filter(() => rand(4) > 0)
        .flatMap((category) =>
          split
            ? [1, 2]
                .filter(() => rand(3) > 0)
                .map((s) => ({
                  year: 2026,
                  category,
                  devices: 1 + rand(6),
                  pcfKgPerDevice: "200",
                  scope3Category: s as 1 | 2,
                }))
            : [{ year: 2026, category, devices: 1 + rand(6), pcfKgPerDevice: "200" }],
        );
      if (inv.length === 0) continue;
      const retirements = Array.from({ length: 1 + rand(8) }, (_, i) =>
        retirement(i + 1, {
          category: categories[rand(3)]!,
          amount: 1 + rand(4),
          scope3Category: 1 + rand(2),
          claimStatus: (["verified", "verified", "replaced", "reversed"] as const)[rand(4)]!,
          vintageEnd: ["2024-11-30", "2026-06-30", "2027-02-28", "2027-05-31"][rand(4)]!,
          attribution: rand(5) === 0 ? { account: GLOBEX, name: null, rule: "BENEFICIARY_ACCOUNT", detail: "x" } : acme,
          ...(rand(6) === 0 ? { failedCheck: "batch suspended" } : {}),
        }),
      );
      const y = report(retirements, inv).current;
      for (const a of y.applied) expect(a.quality!.met, `round ${round} #${a.retirementId}`).to.equal(true);
      for (const u of y.unapplied) {
        if (u.failedCriterion === null) continue;
        const v = u.quality!.criteria.find((c) => c.id === u.failedCriterion)!;
        expect(v.met, `round ${round} #${u.retirementId} ${u.reason}`).to.equal(false);
      }
      const perRow = new Map<string, Set<number>>();
      for (const a of y.applied) {
        const key = split ? `${a.scope3Category}|${a.category}` : a.category;
        perRow.set(key, (perRow.get(key) ?? new Set()).add(a.scope3Category));
      }
      for (const [key, kinds] of perRow) expect(kinds.size, `round ${round} ${key}`).to.equal(1);
      // Every certificate is applied or listed, once.
      for (const r of retirements) {
        const n = [...y.applied, ...y.unapplied]
          .filter((x) => x.retirementId === r.retirementId)
          .reduce((s, x) => s + x.certificates, 0);
        expect(n, `round ${round} #${r.retirementId}`).to.equal(r.amount);
      }
    }
  });

  it("documents every criterion with its rule and source", function () {
    for (const c of QUALITY_CRITERIA) {
      expect(c.requirement.length, c.id).to.be.greaterThan(40);
      expect(c.source, c.id).to.match(/GHG Protocol|SBTi|ADR/);
    }
  });
});
