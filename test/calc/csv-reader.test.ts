/**
 * The lot CSV reader's own parser, checked against csv-parse (the general-purpose library it replaced for speed) on
 * generated CSV: the same records, whatever the quoting, line ends and the way the text is cut into pieces.
 */
import { Readable } from "node:stream";

import { expect } from "chai";
import { parse } from "csv-parse/sync";
import fc from "fast-check";

import { CsvRecordSplitter, LOT_HEADER, readLotCsv } from "../../core/calc/lot/index.ts";
import { CalcInputError } from "../../core/calc/index.ts";

/** csv-parse with the options the reader used to pass it, plus `relax_quotes` when `relaxed`. */
function reference(text: string, relaxed = false): { records: string[][] } | { error: true } {
  try {
    const records: string[][] = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: relaxed,
    });
    return { records };
  } catch {
    return { error: true };
  }
}

type Split = { records: string[][]; lines: number[]; problems: number } | { error: true };

/** Our splitter, fed `text` in the pieces that `cuts` (positions) make. */
function split(text: string, cuts: number[]): Split {
  const records: string[][] = [];
  const lines: number[] = [];
  let problems = 0;
  const splitter = new CsvRecordSplitter((fields, line, problem) => {
    records.push(fields);
    lines.push(line);
    if (problem !== undefined) problems++;
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
  return { records, lines, problems };
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
        expect((ours as { problems: number }).problems).to.equal(0);
      }),
      { numRuns: 2000 },
    );
  });

  it("on arbitrary text, agrees with csv-parse's relaxed quotes, or marks a record csv-parse rejects", () => {
    // One line end per text: csv-parse takes the first it sees as the only one, where ours accepts both anywhere.
    const unit = fc.constantFrom("a", " ", ",", '"', '""', "\n", "é");
    const text = fc
      .tuple(fc.string({ unit, maxLength: 20 }), fc.boolean())
      .map(([t, crlf]) => (crlf ? t.replaceAll("\n", "\r\n") : t));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 4 }), (text, cuts) => {
        const ours = split(text, cuts);
        if ("records" in ours && ours.problems > 0) {
          // Text after a closing quote: strict csv-parse rejects it; ours keeps the record, marked as malformed.
          expect(reference(text), JSON.stringify(text)).to.have.property("error");
          return;
        }
        const theirs = reference(text, true);
        expect("error" in ours, JSON.stringify(text)).to.equal("error" in theirs);
        if ("records" in ours && "records" in theirs) expect(ours.records).to.deep.equal(theirs.records);
        const strict = reference(text);
        if ("records" in strict) expect(ours).to.deep.include({ records: strict.records });
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
      problems: 0,
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

  it("keeps a quote inside an unquoted field as a character (a monitor's 27\")", async () => {
    const row = (model: string) => `SN${model.length},Dell,${model},monitor,2021-06,2025-09-30,36,,,,TR-1,EC-1`;
    const devices = await readLotCsv(
      Readable.from([Buffer.from(`${LOT_HEADER}\n${row('P2720D 27"')}\n${row('U2723QE 27" 4K "USB-C"')}\n`)]),
    );
    expect(devices.map((d) => [d.model, d.readerProblems])).to.deep.equal([
      ['P2720D 27"', undefined],
      ['U2723QE 27" 4K "USB-C"', undefined],
    ]);
  });

  it("marks a row holding bytes that are not UTF-8 (a Latin-1 export) instead of reading them as �", async () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${LOT_HEADER}\nSN1,Dell,OptiPlex 7090,desktop,2021-06,2025-09-30,36,,,,TR-1,EC-1\nSN2,Fujitsu `),
      Buffer.from([0x53, 0x69, 0x65, 0x6d, 0x65, 0x6e, 0x73, 0x20, 0x4b, 0xfc, 0x68, 0x6c]), // "Siemens Kühl" in Latin-1
      Buffer.from(",ESPRIMO,desktop,2021-06,2025-09-30,36,,,,TR-2,EC-2\n"),
    ]);
    const devices = await readLotCsv(Readable.from([latin1]));
    expect(devices[0]!.readerProblems).to.equal(undefined);
    expect(devices[1]!.readerProblems).to.deep.equal([
      {
        line: 3,
        column: 2,
        field: "manufacturer",
        value: "Fujitsu Siemens K\uFFFDhl",
        expected: "UTF-8 text (� marks bytes that are not UTF-8: save the file as UTF-8)",
      },
    ]);
  });

  it("marks every row with text after a closing quote and reads on; stops only for a quote never closed", async () => {
    const rows = [
      'SN1,"Dell"x,OptiPlex 7090,desktop,2021-06,2025-09-30,36,,,,TR-1,EC-1',
      "SN2,Dell,OptiPlex 7090,desktop,2021-06,2025-09-30,36,,,,TR-2,EC-2",
      'SN3,Dell,"OptiPlex, 7090" ,desktop,2021-06,2025-09-30,36,,,,TR-3,EC-3',
    ];
    const devices = await readLotCsv(Readable.from([Buffer.from(`${LOT_HEADER}\r\n${rows.join("\r\n")}\r\n`)]));
    expect(devices.map((d) => d.serial)).to.deep.equal(["SN1", "SN2", "SN3"]);
    expect(devices[0]!.readerProblems).to.deep.equal([
      {
        line: 2,
        column: 2,
        field: "manufacturer",
        value: "x after a closing quote",
        expected: "a , or a line end after a closing quote (a quote inside a quoted field is doubled)",
      },
    ]);
    expect(devices[1]!.readerProblems).to.equal(undefined);
    expect(devices[2]!.readerProblems).to.have.length(1);
    expect(devices[2]!.readerProblems![0]).to.include({ line: 4, column: 3, field: "model" });

    try {
      await readLotCsv(Readable.from([Buffer.from(`${LOT_HEADER}\nSN1,ok\nSN2,"open\n\n`)]));
      expect.fail("expected BAD_CSV");
    } catch (error) {
      expect(error).to.be.instanceOf(CalcInputError);
      expect((error as CalcInputError).code).to.equal("BAD_CSV");
      expect((error as Error).message).to.match(/line 3: a quoted field is not closed at the end of the file/);
    }
  });
});
