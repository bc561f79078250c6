/** Lot input adapters: the streaming CSV reader and the JSON rows of the API. */
import { Readable } from "node:stream";

import { expect } from "chai";

import { LOT_HEADER, parseLotJson, readLotCsv } from "../../core/calc/lot/index.ts";
import { CalcInputError, calculateLot } from "../../core/calc/index.ts";
import { DEFAULT_LEGS, VECTORS, reference } from "./fixtures.ts";

const ROW = "SN1,Dell,Latitude 5420,laptop,2021-06,2025-09-30,36,battery:63Wh,2.0,,TR-1,EC-1";

async function failure(promise: Promise<unknown>): Promise<CalcInputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CalcInputError);
    return error as CalcInputError;
  }
  throw new Error("expected a CalcInputError");
}

const csv = (text: string) => readLotCsv(Readable.from([Buffer.from(text)]));

describe("lot input", () => {
  describe("readLotCsv", () => {
    it("reads the §9 lot with each row's line number", async () => {
      const devices = await readLotCsv(`${VECTORS}section9-lot.csv`);
      expect(devices.map((d) => d.line)).to.deep.equal([2, 3, 4, 5, 6, 7]);
      expect(devices[1]).to.deep.include({
        manufacturer: "HP",
        manufacture_date: "2022",
        transport: "hgv:400;van:120",
      });
    });

    it("accepts a BOM, CRLF, quoted fields with commas and newlines, and blank lines", async () => {
      const text = `\ufeff${LOT_HEADER}\r\n${ROW}\r\n\r\n"SN 2","Dell","Latitude\n5420",laptop,2021,2025-09-30,36,"battery:63Wh",,,TR-2,EC-2\r\n   \r\n${ROW.replace("SN1", "SN3")}\r\n`;
      const devices = await csv(text);
      expect(devices.map((d) => [d.line, d.serial])).to.deep.equal([
        [2, "SN1"],
        [4, "SN 2"],
        [7, "SN3"],
      ]);
      expect(devices[1]!.model).to.equal("Latitude\n5420");
    });

    it("keeps a row with the wrong number of columns as BAD_INPUT, listed with the others", async () => {
      const devices = await csv(`${LOT_HEADER}\n${ROW}\nSN2,Dell,Latitude 5420\n`);
      expect(devices[1]!.readerProblems).to.deep.equal([
        { line: 3, column: null, field: "(row)", value: "3 columns", expected: `12 columns (${LOT_HEADER})` },
      ]);
      const lot = calculateLot(devices, { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS }, reference());
      expect(lot.device(1).excluded).to.equal("BAD_INPUT");
      expect(lot.problems).to.have.length(1);
    });

    it("stops with UNREADABLE_FILE when the file cannot be read", async () => {
      expect((await failure(readLotCsv("/nonexistent/lot.csv"))).code).to.equal("UNREADABLE_FILE");
      expect((await failure(readLotCsv(VECTORS))).code).to.equal("UNREADABLE_FILE");
    });

    it("stops with BAD_HEADER when the header is not exactly the lot columns", async () => {
      const error = await failure(csv(`serial,maker,model\n${ROW}\n`));
      expect(error.code).to.equal("BAD_HEADER");
      expect(error.message).to.include(LOT_HEADER).and.to.include("line 1");
    });

    it("stops with LOT_EMPTY for an empty file or a header without rows", async () => {
      expect((await failure(csv(""))).code).to.equal("LOT_EMPTY");
      expect((await failure(csv(`${LOT_HEADER}\n\n`))).code).to.equal("LOT_EMPTY");
    });

    it("stops with BAD_CSV when the CSV itself is malformed", async () => {
      const error = await failure(csv(`${LOT_HEADER}\n${ROW}\n"SN2,Dell\n`));
      expect(error.code).to.equal("BAD_CSV");
      expect(error.message).to.match(/line 3/);
    });
  });

  describe("parseLotJson", () => {
    const row = {
      serial: "SN1",
      manufacturer: "Dell",
      model: "Latitude 5420",
      category: "laptop",
      manufacture_date: "2021-06",
      refurbished_date: "2025-09-30",
      second_life_months: 36,
      parts: "battery:63Wh",
      ship_mass_kg: 2,
      test_report_id: "TR-1",
      erasure_certificate_id: "EC-1",
    };

    it("accepts the rows with lot options, numbers as their decimal text, absent cells as empty", () => {
      const { devices, options } = parseLotJson({ lotId: "L1", defaultTransport: DEFAULT_LEGS, devices: [row] });
      expect(options).to.deep.equal({ lotId: "L1", defaultTransport: DEFAULT_LEGS });
      expect(devices[0]).to.deep.include({ line: 1, second_life_months: "36", ship_mass_kg: "2", transport: "" });
      const lot = calculateLot(devices, { ...options, asOf: "2026-06-30" }, reference());
      expect(lot.device(0).V).to.equal("58.625");
    });

    it("accepts a bare array of rows", () => {
      expect(parseLotJson([row, row]).devices).to.have.length(2);
    });

    it("rejects unknown columns and bad options with BAD_JSON naming the path", () => {
      const error = (() => {
        try {
          parseLotJson({ devices: [{ ...row, serial_no: "x" }], asOf: "2026-13-01" });
        } catch (e) {
          return e as CalcInputError;
        }
        throw new Error("no error");
      })();
      expect(error.code).to.equal("BAD_JSON");
      expect(error.message).to.include("devices[0]").and.to.include("asOf");
    });

    it("rejects an empty lot with LOT_EMPTY", () => {
      expect(() => parseLotJson({ devices: [] }))
        .to.throw(CalcInputError)
        .with.property("code", "LOT_EMPTY");
    });
  });
});
