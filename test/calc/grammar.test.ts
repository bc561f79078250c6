/** Text grammars, dates, normalisation and the grams conversion. */
import { expect } from "chai";

import { gramsToKg } from "../../sdk/src/units.ts";
import {
  kgToGrams,
  normaliseName,
  normaliseSerial,
  parseDay,
  parseManufactureDate,
  parseMonths,
  parseParts,
  parseTransport,
  wholeMonths,
} from "../../core/calc/index.ts";

describe("input grammar", () => {
  describe("dates", () => {
    it("takes the last day of a YYYY or YYYY-MM manufacture period", () => {
      expect(parseManufactureDate("2022")).to.deep.equal({ y: 2022, m: 12, d: 31 });
      expect(parseManufactureDate("2021-06")).to.deep.equal({ y: 2021, m: 6, d: 30 });
      expect(parseManufactureDate("2024-02")).to.deep.equal({ y: 2024, m: 2, d: 29 });
      expect(parseManufactureDate("1900-02")).to.deep.equal({ y: 1900, m: 2, d: 28 });
      expect(parseManufactureDate("2020-01-15")).to.deep.equal({ y: 2020, m: 1, d: 15 });
    });

    it("refuses dates that do not exist or are not in the three forms", () => {
      for (const text of ["2021-13", "2021-02-30", "21-06", "2021/06/30", "2021-6", " 2021", "999"]) {
        expect(parseManufactureDate(text), text).to.equal(undefined);
      }
      expect(parseDay("2021-06")).to.equal(undefined);
    });

    it("counts whole months, one less when the day of month is not reached", () => {
      expect(wholeMonths({ y: 2021, m: 6, d: 30 }, { y: 2025, m: 9, d: 30 })).to.equal(51);
      expect(wholeMonths({ y: 2021, m: 6, d: 30 }, { y: 2025, m: 9, d: 29 })).to.equal(50);
      expect(wholeMonths({ y: 2022, m: 12, d: 31 }, { y: 2026, m: 3, d: 31 })).to.equal(39);
    });
  });

  describe("parts", () => {
    it("reads every part kind, units, counts and separators", () => {
      const r = parseParts(" Battery:63wh ; SSD:1TB;ram:16GB;hdd:2;display;other:0.4kg;mainboard;");
      expect(r.ok && r.value).to.deep.equal([
        { kind: "battery", amount: "63", units: 1 },
        { kind: "ssd", amount: "1000", units: 1 },
        { kind: "ram", amount: "16", units: 1 },
        { kind: "hdd", amount: "2", units: 2 },
        { kind: "display", amount: "1", units: 1 },
        { kind: "other", amount: "0.4", units: 1 },
        { kind: "mainboard", amount: "1", units: 1 },
      ]);
      expect(parseParts("").ok && parseParts("none").ok).to.equal(true);
    });

    it("says what was expected for a bad item", () => {
      for (const [text, hint] of [
        ["battery:63", "needs an amount in wh"],
        ["ssd:1PB", "gb or tb"],
        ["gpu", "unknown part"],
        ["hdd:0", "unit count"],
        ["other:-1kg", "needs an amount"],
      ] as const) {
        const r = parseParts(text);
        expect(r.ok, text).to.equal(false);
        if (!r.ok) expect(r.expected, text).to.include(hint);
      }
    });
  });

  describe("transport", () => {
    it("reads legs of every mode and none", () => {
      const r = parseTransport("HGV:600; van:250;rail:1.5;sea:9000;air:10");
      expect(r.ok && r.value.map((l) => `${l.mode}:${l.km}`)).to.deep.equal([
        "hgv:600",
        "van:250",
        "rail:1.5",
        "sea:9000",
        "air:10",
      ]);
      expect(parseTransport("none").ok && parseTransport("none")).to.deep.include({ value: [] });
    });

    it("refuses unknown modes, missing distances and empty text", () => {
      for (const text of ["truck:10", "hgv", "hgv:", "", "hgv:1e3"])
        expect(parseTransport(text).ok, text).to.equal(false);
    });
  });

  describe("numbers", () => {
    it("reads whole months only", () => {
      expect(parseMonths("36")).to.deep.equal({ ok: true, value: 36 });
      for (const text of ["36.0", "-1", "three", ""]) expect(parseMonths(text).ok, text).to.equal(false);
    });
  });

  describe("normalisation", () => {
    it("normalises names and serials idempotently", () => {
      expect(normaliseName("  Dell\t Technologies ")).to.equal("dell technologies");
      expect(normaliseName(normaliseName(" A  B "))).to.equal(normaliseName(" A  B "));
      expect(normaliseSerial(" ab 12\u00a0c ")).to.equal("AB12C");
    });
  });

  describe("kgToGrams", () => {
    it("converts 3-dp kilogram figures to integer grams and back, exactly", () => {
      expect(kgToGrams("189.413")).to.equal(189413n);
      expect(kgToGrams("-0.347")).to.equal(-347n);
      expect(kgToGrams("0.000")).to.equal(0n);
      expect(gramsToKg(189413n)).to.equal("189.413");
      expect(gramsToKg(-347)).to.equal("-0.347");
      expect(gramsToKg(5n)).to.equal("0.005");
    });

    it("refuses anything that is not a 3-dp figure", () => {
      for (const text of ["189.41", "189.4130", "1e3", "abc", "189"])
        expect(() => kgToGrams(text), text).to.throw(RangeError);
    });
  });
});
