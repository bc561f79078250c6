/**
 * The Scope 3 report's inventory input: RFC 4180 CSV or JSON (an array of rows or `{ "inventory": [...] }`), chosen by
 * the file's extension or its content, each refusal with a precise message (docs/adr/0030-scope3-matching.md rule 9).
 */
import { expect } from "chai";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import {
  parseInventory,
  parseInventoryCsv,
  parseInventoryJson,
  Scope3InputError,
  type InventoryLine,
} from "../../core/documents/inventory.ts";
import { scope3Report } from "../../core/documents/scope3.ts";

const reference = loadReferenceTable();
const ACCOUNT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const laptops2026: InventoryLine[] = [{ year: 2026, category: "laptop", devices: 100, pcfKgPerDevice: "300.000" }];

describe("Scope 3 inventory input", function () {
  describe("inventory CSV", function () {
    it("reads year, category, devices, PCF and manufacturer/model", function () {
      const lines = parseInventoryCsv(
        "year,category,devices,pcf_kg_per_device,manufacturer,model\n2026,laptop,100,300.5,,\n,server,2,,Dell,PowerEdge R740\n",
        2026,
      );
      expect(lines).to.deep.equal([
        {
          year: 2026,
          category: "laptop",
          devices: 100,
          pcfKgPerDevice: "300.5",
          manufacturer: undefined,
          model: undefined,
          source: "line 2",
        },
        {
          year: 2026,
          category: "server",
          devices: 2,
          pcfKgPerDevice: undefined,
          manufacturer: "Dell",
          model: "PowerEdge R740",
          source: "line 3",
        },
      ]);
    });

    it("reads RFC 4180 quoting: a quoted manufacturer with a comma, doubled quotes, CRLF, a BOM", function () {
      const lines = parseInventoryCsv(
        '\uFEFFcategory,devices,manufacturer,model,scope3_category\r\nmonitor,3,"Dell, Inc.","P2720D 27""",2\r\n\r\nlaptop,1,Dell,"Latitude\n5420",1\r\n',
        2026,
      );
      expect(lines.map((l) => [l.source, l.manufacturer, l.model, l.scope3Category])).to.deep.equal([
        ["line 2", "Dell, Inc.", 'P2720D 27"', 2],
        ["line 4", "Dell", "Latitude\n5420", 1],
      ]);
    });

    for (const [csv, message] of [
      ["category,devices\n", /no rows/],
      ["", /no rows/],
      ["category\nlaptop\n", /needs a 'devices' column/],
      ["category,devices\nrobot,3\n", /line 2: unknown category 'robot'/],
      ["category,devices\nlaptop,3.5\n", /line 2: devices must be a whole number/],
      ["category,devices,pcf_kg_per_device\nlaptop,3,abc\n", /pcf_kg_per_device must be a number/],
      ["category,devices,scope3_category\nlaptop,3,3\n", /line 2: scope3_category must be 1 .* or 2 .*, got '3'/],
      // An unquoted comma must not shift the row into the wrong columns (it used to read manufacturer '"Dell').
      [
        "category,devices,manufacturer,model\nmonitor,3,Dell, Inc.,P2720D\n",
        /line 2: 5 fields where the header has 4 .* must be in double quotes, e.g. "Dell, Inc."/,
      ],
      ["category,devices,manufacturer\nmonitor,3\n", /line 2: 2 fields where the header has 3/],
      ['category,devices,manufacturer\nmonitor,3,"Dell"x\n', /line 2: field 3: found x after a closing quote/],
      ['category,devices,manufacturer\nmonitor,3,"Dell\n', /a quoted field is not closed/],
      ["category,devices,colour\nlaptop,3,red\n", /unknown column 'colour'/],
      ["category,devices,devices\nlaptop,3,3\n", /column 'devices' appears twice/],
      ['[{"category":"laptop","devices":3}]', /not CSV: it looks like JSON/],
    ] as const) {
      it(`refuses ${JSON.stringify(csv)} with a precise message`, function () {
        expect(() => parseInventoryCsv(csv, 2026)).to.throw(Scope3InputError, message);
      });
    }

    it("refuses a report year the inventory does not cover", function () {
      expect(() =>
        scope3Report({ account: ACCOUNT, reportingYear: 2027, inventory: laptops2026, retirements: [], reference }),
      ).to.throw(Scope3InputError, /no rows for 2027/);
    });
  });

  describe("inventory JSON", function () {
    it("reads an array of rows with the CSV's names or camelCase, numbers or strings", function () {
      const lines = parseInventoryJson(
        JSON.stringify([
          { year: 2025, category: "Laptop", devices: 100, pcfKgPerDevice: 300.5, scope3Category: 2 },
          { category: "server", devices: "2", manufacturer: "Dell", model: "PowerEdge R740", scope3_category: "1" },
        ]),
        2026,
      );
      expect(lines).to.deep.equal([
        {
          year: 2025,
          category: "laptop",
          devices: 100,
          pcfKgPerDevice: "300.5",
          manufacturer: undefined,
          model: undefined,
          scope3Category: 2,
          source: "row 1",
        },
        {
          year: 2026,
          category: "server",
          devices: 2,
          pcfKgPerDevice: undefined,
          manufacturer: "Dell",
          model: "PowerEdge R740",
          scope3Category: 1,
          source: "row 2",
        },
      ]);
    });

    it("reads the API's body shape { inventory: [...] }", function () {
      const lines = parseInventoryJson(
        JSON.stringify({ account: ACCOUNT, year: 2026, inventory: [{ category: "laptop", devices: 1 }] }),
        2026,
      );
      expect(lines.map((l) => [l.year, l.category, l.devices])).to.deep.equal([[2026, "laptop", 1]]);
    });

    for (const [json, message] of [
      ["[]", /has no rows/],
      ["{", /not valid JSON/],
      ['{"rows":[]}', /an array of rows or an object with an "inventory" array/],
      ['{"year":2025,"inventory":[{"category":"laptop","devices":1}]}', /is for year 2025, not 2026/],
      ['[{"category":"laptop","devices":1,"colour":"red"}]', /row 1: unknown field 'colour'/],
      [
        '[{"category":"laptop","devices":1,"scope3Category":1,"scope3_category":1}]',
        /row 1: 'scope3_category' is given twice/,
      ],
      ['[{"category":"laptop","devices":true}]', /row 1: devices must be a string or a number/],
      ['[{"category":"laptop","devices":1},{"category":"robot","devices":1}]', /row 2: unknown category 'robot'/],
      ['[{"category":"laptop","devices":-1}]', /row 1: devices must be a whole number/],
      ["[3]", /row 1: a row must be an object/],
    ] as const) {
      it(`refuses ${json} with a precise message`, function () {
        expect(() => parseInventoryJson(json, 2026)).to.throw(Scope3InputError, message);
      });
    }
  });

  describe("inventory format", function () {
    const csv = "category,devices\nlaptop,3\n";
    const json = '[{"category":"laptop","devices":3}]';
    it("goes by the file's extension, else by the content", function () {
      expect(parseInventory(json, 2026, "inv.json")[0]!.source).to.equal("row 1");
      expect(parseInventory(csv, 2026, "INV.CSV")[0]!.source).to.equal("line 2");
      expect(parseInventory(`  \n${json}`, 2026, "inventory.txt")[0]!.source).to.equal("row 1");
      expect(parseInventory(csv, 2026)[0]!.source).to.equal("line 2");
    });
    it("says what is wrong when the extension and the content disagree", function () {
      expect(() => parseInventory(json, 2026, "inv.csv")).to.throw(
        Scope3InputError,
        /looks like JSON \(give it as JSON: a \.json file/,
      );
      expect(() => parseInventory(csv, 2026, "inv.json")).to.throw(Scope3InputError, /not valid JSON/);
    });
  });
});
