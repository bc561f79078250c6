/**
 * Retirements as the Scope 3 report reads them (`RetirementForReport`), for the pure report tests: one verified
 * claim of the organisation ACME for 2026 by default, its figures and names set per test file.
 */
import type { RetirementForReport } from "../../core/documents/scope3-types.ts";

/** The organisation the report tests report for (Hardhat's public test account #6; no key is used). */
export const ACME = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";

/**
 * A factory of retirements `(id, over)`: a verified 2026 claim of ACME's own, beneficiary name `name`, attributed to
 * ACME by its beneficiary account; `defaults` then `over` override any field.
 */
export function retirementFactory(
  name: string,
  defaults: Partial<RetirementForReport> = {},
): (id: number, over?: Partial<RetirementForReport>) => RetirementForReport {
  return (id, over = {}) => ({
    retirementId: String(id),
    batchId: "1",
    category: "laptop",
    amount: 10,
    reductionKgPerDevice: "34.217",
    periodStart: "2026-01-01T00:00:00.000Z",
    periodEnd: "2026-12-31T23:59:59.000Z",
    scope3Category: 2,
    beneficiaryName: name,
    beneficiaryAccount: ACME,
    retiredBy: ACME,
    claimStatus: "verified",
    vintageStart: "2026-01-01",
    vintageEnd: "2026-03-31",
    attribution: { account: ACME, name, rule: "BENEFICIARY_ACCOUNT", detail: "named" },
    txHash: null,
    ...defaults,
    ...over,
  });
}
