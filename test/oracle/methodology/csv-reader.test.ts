/**
 * The lot CSV reader's own parser, checked against csv-parse (the general-purpose library it replaced for speed) on
 * generated CSV: the same records, whatever the quoting, line ends and the way the text is cut into pieces.
 */
import { Readable } from "node:stream";

import { expect } from "chai";
import { parse } from "csv-parse/sync";
import fc from "fast-check";

import { CsvRecordSplitter, LOT_HEADER, readLotCsv } from "../../../oracle/src/lot/index.ts";
import { CalcInputError } from "../../../oracle/src/methodology/index.ts";

/** csv-parse with the options the reader used to pass it. */
function reference(text: string): { records: string[][] } | { error: true } {
  try {
    const records: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: true });
    return { records };
  } catch {
    return { error: true };
  }
}

/** Our splitter, fed `text` in the pieces that `cuts` (positions) make. */
function split(text: string, cuts: number[]): { records: string[][]; lines: number[] } | { error: true } {
  const records: string[][] = [];
  const lines: number[] = [];
  const splitter = new CsvRecordSplitter((fields, line) => {
    records.push(fields);
    lines.push(line);
  });
  try {
    let at = 0;
    for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
      splitter.push(text.slice(at, cut));
      at = cut;
    }
    splitter.push(text.slice(at));
    splitter.end();
  } catch {
    return { error: true };
  }
  return { records, lines };
}

const cell = fc.string({ unit: fc.constantFrom("a", "b", "7", " ", ",", '"', "\n", "\r\n", "é", "😀"), maxLength: 6 });
/** RFC 4180 text for records (fields quoted when they need it, or at random). */
const csvText = fc
  .tuple(
    fc.array(fc.tuple(fc.array(fc.tuple(cell, fc.boolean()), { minLength: 1, maxLength: 5 })), { maxLength: 8 }),
    fc.constantFrom("\n", "\r\n"),
    fc.boolean(),
  )
  .map(([rows, eol, trailing]) => {
    const text = rows
      .map(([fields]) =>
        fields.map(([v, force]) => (force || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(","),
      )
      .join(eol);
    return trailing && text.length > 0 ? text + eol : text;
  });

describe("lot CSV parser", () => {
  it("gives csv-parse's records for any well-formed CSV, however the text is cut", () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const ours = split(text, cuts);
        const theirs = reference(text);
        expect(theirs).to.have.property("records");
        expect(ours).to.have.property("records");
        expect((ours as { records: string[][] }).records).to.deep.equal((theirs as { records: string[][] }).records);
      }),
      { numRuns: 2000 },
    );
  });

  it("fails exactly where csv-parse fails on arbitrary text, and agrees on the records otherwise", () => {
    // One line end per text: csv-parse takes the first it sees as the only one, where ours accepts both anywhere.
    const unit = fc.constantFrom("a", " ", ",", '"', '""', "\n", "é");
    const text = fc
      .tuple(fc.string({ unit, maxLength: 20 }), fc.boolean())
      .map(([t, crlf]) => (crlf ? t.replaceAll("\n", "\r\n") : t));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 4 }), (text, cuts) => {
        const ours = split(text, cuts);
        const theirs = reference(text);
        expect("error" in ours, JSON.stringify(text)).to.equal("error" in theirs);
        if ("records" in ours && "records" in theirs) expect(ours.records).to.deep.equal(theirs.records);
      }),
      { numRuns: 3000 },
    );
  });

  it("numbers each record by the physical line it starts on", () => {
    const result = split('a,b\n\n"multi\nline",x\r\nlast,"q""q"\n', [5, 9]);
    expect(result).to.deep.equal({
      records: [
        ["a", "b"],
        ["multi\nline", "x"],
        ["last", 'q"q'],
      ],
      lines: [1, 3, 5],
    });
  });

  it("reads a lot whose bytes arrive in pieces that cut multi-byte characters", async () => {
    const rows = Array.from(
      { length: 50 },
      (_, i) => `SN${i},Ünïcødé ${i},"Mödel, ""${i}""",laptop,2021-06,2025-09-30,36,,,,TR-${i},EC-😀${i}`,
    );
    const bytes = Buffer.from(`\ufeff${LOT_HEADER}\r\n${rows.join("\r\n")}`);
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 7) pieces.push(bytes.subarray(at, at + 7));
    const devices = await readLotCsv(Readable.from(pieces));
    expect(devices).to.have.length(50);
    expect(devices[42]).to.deep.include({
      line: 44,
      serial: "SN42",
      manufacturer: "Ünïcødé 42",
      model: 'Mödel, "42"',
      erasure_certificate_id: "EC-😀42",
    });
  });

  it("names the line and field of a malformed row", async () => {
    const bad = async (text: string): Promise<string> => {
      try {
        await readLotCsv(Readable.from([Buffer.from(`${LOT_HEADER}\n${text}`)]));
      } catch (error) {
        expect(error).to.be.instanceOf(CalcInputError);
        expect((error as CalcInputError).code).to.equal("BAD_CSV");
        return (error as Error).message;
      }
      throw new Error("expected BAD_CSV");
    };
    expect(await bad('SN1,De"ll,x\n')).to.match(/line 2, field 2: a quote inside an unquoted field/);
    expect(await bad('SN1,"Dell"x,y\n')).to.match(/line 2, field 2: "x" after the closing quote/);
    expect(await bad('SN1,ok\nSN2,"open\n\n')).to.match(/line 3: a quoted field is not closed/);
  });
});
