/**
 * Issue 14's property: over random registers and random sets of retirements, every retired certificate is applied
 * in at most one organisation's Scope 3 report for a year — and only in the report of the organisation the claim
 * is attributed to (core/claims/attribution.ts), never the retiring account's when the claim names another. Pure:
 * attribution and `scope3Report` for every organisation, each given every retirement (a report applies only its
 * own; giving it more than its candidates makes the property stronger, not weaker).
 */
import { expect } from "chai";
import fc from "fast-check";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { attribute, organisationKey, type Attribution } from "../../core/claims/attribution.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import type { InventoryLine } from "../../core/documents/inventory.ts";
import type { RetirementForReport } from "../../core/documents/scope3-types.ts";

const reference = loadReferenceTable();
/** Ten organisations' accounts and an outsider (never on the register). */
const ACCOUNTS = Array.from({ length: 11 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
const OUTSIDER = ACCOUNTS[10]!;
/** Names that collide once normalised, names that almost do, and one nobody has. */
const NAMES = [
  "Globex GmbH",
  "  GLOBEX  gmbh. ",
  "Globex",
  "Acme Corporation",
  "ACME CORPORATION",
  "Initech AG",
  "Ｉｎｉｔｅｃｈ AG",
];
const CATEGORIES = ["laptop", "desktop"] as const;
const YEARS = [2025, 2026];

const participant = fc.record({
  name: fc.option(fc.constantFrom(...NAMES), { nil: null }),
  status: fc.constantFrom("active", "suspended", "none"),
});

const retirement = fc.record({
  retiredBy: fc.integer({ min: 0, max: 10 }),
  beneficiary: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
  beneficiaryName: fc.option(fc.constantFrom(...NAMES, "Umbrella plc"), { nil: null }),
  amount: fc.integer({ min: 1, max: 30 }),
  category: fc.constantFrom(...CATEGORIES),
  scope3Category: fc.constantFrom(1, 2),
  year: fc.constantFrom(...YEARS),
  failed: fc.boolean(),
});

const inventory = fc.array(
  fc.record({
    year: fc.constantFrom(...YEARS),
    category: fc.constantFrom(...CATEGORIES),
    devices: fc.integer({ min: 0, max: 40 }),
  }),
  { minLength: 0, maxLength: 4 },
);

describe("attribution (property): a retired certificate counts in at most one organisation's report", function () {
  this.timeout(120_000);

  it("holds for random registers, retirements and inventories, for every year of the reports", function () {
    fc.assert(
      fc.property(
        fc.array(participant, { minLength: 10, maxLength: 10 }),
        fc.array(retirement, { minLength: 1, maxLength: 25 }),
        fc.array(inventory, { minLength: 10, maxLength: 10 }),
        (register, claims, inventories) => {
          const registered = register.flatMap((p, i) =>
            p.status !== "none" && p.name !== null ? [{ account: ACCOUNTS[i]!, name: p.name }] : [],
          );
          const named = (key: string) => registered.filter((p) => organisationKey(p.name) === key);
          const retirements: RetirementForReport[] = claims.map((c, i) => {
            const claim = {
              account: ACCOUNTS[c.retiredBy]!,
              beneficiary: c.beneficiary === null ? null : ACCOUNTS[c.beneficiary]!,
              beneficiaryName: c.beneficiaryName,
            };
            return {
              retirementId: String(i + 1),
              batchId: "1",
              category: c.category,
              amount: c.amount,
              reductionKgPerDevice: "40.000",
              periodStart: `${c.year}-01-01T00:00:00.000Z`,
              periodEnd: `${c.year}-12-31T23:59:59.000Z`,
              scope3Category: c.scope3Category,
              beneficiaryName: c.beneficiaryName,
              beneficiaryAccount: claim.beneficiary,
              retiredBy: claim.account,
              claimStatus: "verified",
              vintageStart: "2025-01-01",
              vintageEnd: "2025-06-30",
              attribution: attribute(claim, named),
              txHash: null,
              ...(c.failed ? { failedCheck: "batch not suspended or reversed" } : {}),
            };
          });
          /** Certificates applied, per year and retirement id, per organisation. */
          const applied = new Map<string, { account: string; certificates: number }[]>();
          for (const [i, account] of ACCOUNTS.slice(0, 10).entries()) {
            const lines: InventoryLine[] = [
              ...inventories[i]!.map((l) => ({ ...l, pcfKgPerDevice: "300.000" })),
              // Every year present, so that the report covers both years.
              ...YEARS.map((year) => ({ year, category: "monitor" as const, devices: 1, pcfKgPerDevice: "100.000" })),
            ];
            const report = scope3Report({ account, reportingYear: 2026, inventory: lines, retirements, reference });
            for (const year of report.years) {
              for (const a of year.applied) {
                const key = `${year.year}#${a.retirementId}`;
                applied.set(key, [...(applied.get(key) ?? []), { account, certificates: a.certificates }]);
              }
            }
          }
          for (const [key, where] of applied) {
            const r = retirements[Number(key.split("#")[1]) - 1]!;
            expect(where, `${key} applied in more than one report`).to.have.length(1);
            const [{ account, certificates }] = where as [{ account: string; certificates: number }];
            expect(account, `${key} applied to another than its claimant`).to.equal(r.attribution.account);
            expect(certificates).to.be.at.most(r.amount);
            expect(r.failedCheck, `${key} applied though a check failed`).to.equal(undefined);
            // The retiring account never inherits a claim made for someone else.
            if (account === r.retiredBy && r.beneficiaryAccount !== null)
              expect(r.beneficiaryAccount).to.equal(account);
            if (account === r.retiredBy && r.beneficiaryAccount === null) {
              expect(registered.filter((p) => organisationKey(p.name) === organisationKey(r.beneficiaryName ?? "")))
                .to.have.length(1)
                .and.deep.include({ account, name: r.attribution.name! });
            }
          }
          // Nobody's claims are applied nowhere; an outsider is never anyone's claimant by name.
          for (const r of retirements) {
            const rule: Attribution["rule"] = r.attribution.rule;
            if (r.attribution.account === null) expect(rule).to.be.oneOf(["NAME_UNMATCHED", "NAME_AMBIGUOUS"]);
            if (rule === "BENEFICIARY_NAME") expect(r.attribution.account).not.to.equal(OUTSIDER);
          }
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });

  it("attributes a name to exactly one registered participant, else to nobody, and an account always to itself", function () {
    const register = [
      { account: ACCOUNTS[0]!, name: "Globex GmbH" },
      { account: ACCOUNTS[1]!, name: "Acme Corporation" },
      { account: ACCOUNTS[2]!, name: "ACME  corporation." },
    ];
    const named = (key: string) => register.filter((p) => organisationKey(p.name) === key);
    const acme = ACCOUNTS[3]!;
    const by = (beneficiaryName: string | null, beneficiary: string | null = null) =>
      attribute({ account: acme, beneficiary, beneficiaryName }, named);
    expect(by(" globex gmbh. ")).to.include({ account: ACCOUNTS[0], rule: "BENEFICIARY_NAME", name: "Globex GmbH" });
    expect(by("Globex")).to.include({ account: null, rule: "NAME_UNMATCHED" });
    expect(by("Acme Corporation")).to.include({ account: null, rule: "NAME_AMBIGUOUS" });
    expect(by(null)).to.include({ account: null, rule: "NAME_UNMATCHED" });
    expect(by("Globex GmbH", ACCOUNTS[5])).to.include({ account: ACCOUNTS[5], rule: "BENEFICIARY_ACCOUNT" });
    expect(by("Globex GmbH", ACCOUNTS[0])).to.include({ account: ACCOUNTS[0], name: "Globex GmbH" });
  });
});
