/** A lot's input problems grouped for people: one group per kind of problem, with its rows as line ranges. */
import { expect } from "chai";

import type { InputProblem } from "../../core/calc/index.ts";
import { groupProblems, MAX_RANGES, missingTransportRows } from "../../core/calc/problems.ts";

const noTransport = (line: number): InputProblem => ({
  line,
  column: 10,
  field: "transport",
  value: "",
  expected: "transport legs like hgv:600;van:250; the lot has no default transport",
});

describe("problems", function () {
  describe("groupProblems", function () {
    it("makes identical problems one group with line ranges, in order of first line", function () {
      const badDate: InputProblem = {
        line: 7,
        column: 6,
        field: "refurbished_date",
        value: "2025-13-01",
        expected: "a calendar date as YYYY-MM-DD",
      };
      const problems = [...[3, 4, 5, 6, 9, 10, 12].map(noTransport), badDate, noTransport(2)];
      const { groups, more } = groupProblems(problems);
      expect(more).to.equal(0);
      const { line: _t, ...transport } = noTransport(0);
      const { line: _d, ...date } = badDate;
      expect(groups).to.deep.equal([
        {
          ...transport,
          rows: 8,
          lines: [
            [2, 6],
            [9, 10],
            [12, 12],
          ],
        },
        { ...date, rows: 1, lines: [[7, 7]] },
      ]);
      expect(missingTransportRows(problems)).to.equal(8);
    });

    it("keeps at most MAX_RANGES ranges per group but counts every row", function () {
      const lines = Array.from({ length: 100 }, (_, i) => 2 + 2 * i); // no two consecutive
      const [group] = groupProblems(lines.map(noTransport)).groups;
      expect(group!.rows).to.equal(100);
      expect(group!.lines).to.have.length(MAX_RANGES);
    });
  });
});
