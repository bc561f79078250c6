/** The golden vectors of test/vectors/calc-vectors.json: tiers, dates, parts, transport, eligibility, rounding, gates. */
import { expect } from "chai";

import { calculateLot, deviceId, type BatchTotals, type DeviceInput, type LotResult } from "../../core/calc/index.ts";
import { reference, readVector } from "./fixtures.ts";

interface VectorCase {
  name: string;
  note?: string;
  asOf: string;
  defaultTransport: string | null;
  certified?: { manufacturer: string; serial: string }[];
  devices: DeviceInput[];
  expect: {
    devices: Record<string, unknown>[];
    problems: { line: number; column: number | null; field: string }[];
    batches: (Record<string, unknown> & { totals: BatchTotals })[];
  };
}

const { cases } = readVector<{ cases: VectorCase[] }>("calc-vectors.json");

function run(c: VectorCase): LotResult {
  const devices = c.devices.map((d, i) => ({ ...d, line: i + 2 }));
  return calculateLot(
    devices,
    {
      asOf: c.asOf,
      ...(c.defaultTransport === null ? {} : { defaultTransport: c.defaultTransport }),
      certifiedDeviceIds: new Set((c.certified ?? []).map((x) => deviceId(x.manufacturer, x.serial))),
    },
    reference(),
  );
}

describe("ITEC-CALC 1.0 — golden vectors", () => {
  for (const c of cases) {
    describe(c.name, () => {
      const result = run(c);

      it("gives every device's figures or exclusion", () => {
        const got = result.devices.map((d) =>
          d.excluded !== undefined
            ? { excluded: d.excluded }
            : {
                tier: d.tier,
                M: d.M,
                L_ref: d.L_ref,
                L1: d.L1,
                L2: d.L2,
                B: d.B,
                R: d.R,
                R_up: d.R_up,
                U: d.U,
                V: d.V,
              },
        );
        expect(got).to.deep.equal(c.expect.devices);
      });

      it("lists every BAD_INPUT problem with its line, column and field", () => {
        expect(result.problems.map((p) => ({ line: p.line, column: p.column, field: p.field }))).to.deep.equal(
          c.expect.problems,
        );
      });

      it("gives every batch's totals and issuance decision", () => {
        const got = result.batches.map((b) => ({
          category: b.category,
          eligible: b.eligible,
          certificates: b.certificates,
          issued: b.issued,
          reason: b.reason,
          baselineKg: b.baselineKg,
          reductionKg: b.reductionKg,
          relU: b.relU,
          totals: b.totals,
        }));
        expect(got).to.deep.equal(c.expect.batches);
      });
    });
  }

  describe("SERIAL_DUPLICATE at scale", () => {
    it("excludes every occurrence of every repeated serial in a 20,000-row lot, and nothing else", () => {
      const base = cases[0]!.devices[0]!;
      const devices = Array.from({ length: 20_000 }, (_, i) => ({
        ...base,
        // every 7th row repeats the serial of the row 3,000 before it (spelled differently)
        serial: i % 7 === 0 && i >= 3000 ? ` sn-${(i - 3000).toString(36)} ` : `SN-${i.toString(36).toUpperCase()}`,
        line: i + 2,
      }));
      const repeated = new Set<number>();
      devices.forEach((_, i) => {
        if (i % 7 === 0 && i >= 3000) repeated.add(i).add(i - 3000);
      });
      const lot = calculateLot(devices, { asOf: "2026-06-30", defaultTransport: "hgv:600;van:250" }, reference());
      const excluded = devices.flatMap((_, i) => (lot.device(i).excluded === "SERIAL_DUPLICATE" ? [i] : []));
      expect(excluded).to.deep.equal([...repeated].sort((a, b) => a - b));
    });
  });

  describe("BAD_INPUT details", () => {
    it("says what was expected for each unusable field when a row has several", () => {
      const c = cases.find((x) => x.name.startsWith("eligibility"))!;
      const problems = run(c).problems.filter((p) => p.line === 6);
      expect(problems.map((p) => [p.column, p.field, p.value])).to.deep.equal([
        [5, "manufacture_date", "31/12/2021"],
        [8, "parts", "battery:lots"],
        [10, "transport", "truck:100"],
      ]);
      expect(problems[0]!.expected).to.equal("a date as YYYY, YYYY-MM or YYYY-MM-DD");
      expect(problems[1]!.expected).to.match(/needs an amount in wh/);
      expect(problems[2]!.expected).to.match(/unknown mode/);
    });
  });
});
