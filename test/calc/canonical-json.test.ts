/** RFC 8785 canonical JSON of report values. */
import { expect } from "chai";
import fc from "fast-check";

import { canonicalJson } from "../../core/calc/index.ts";

describe("canonicalJson", () => {
  describe("objects", () => {
    it("sorts members by UTF-16 code units, at every depth, without whitespace", () => {
      expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: "x" }, A: false, _: 0 })).to.equal(
        '{"A":false,"_":0,"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}',
      );
    });

    it("orders by code units, not code points (RFC 8785 §3.2.3)", () => {
      // U+FB33 (one unit, 0xFB33) sorts after U+1F600 (surrogates 0xD83D 0xDE00) by code units.
      expect(canonicalJson({ "\ufb33": 1, "😀": 2, "\u00e9": 3 })).to.equal('{"é":3,"😀":2,"דּ":1}');
    });

    it("omits undefined members", () => {
      expect(canonicalJson({ a: undefined, b: 1 })).to.equal('{"b":1}');
    });
  });

  describe("strings and numbers", () => {
    it("escapes as ECMAScript JSON.stringify does", () => {
      expect(canonicalJson('a"b\\c\n\u0001\u007f€')).to.equal('"a\\"b\\\\c\\n\\u0001\u007f€"');
    });

    it("writes numbers in their shortest ECMAScript form", () => {
      expect(canonicalJson([1e21, 0.1, -0, 100, 1.5e-7])).to.equal("[1e+21,0.1,0,100,1.5e-7]");
    });

    it("refuses values outside I-JSON", () => {
      expect(() => canonicalJson(Number.NaN)).to.throw(/non-finite/);
      expect(() => canonicalJson(1n)).to.throw(/bigint/);
      expect(() => canonicalJson("\ud800")).to.throw(/lone surrogate/);
      expect(() => canonicalJson([undefined])).to.throw(/undefined/);
    });
  });

  describe("round trip", () => {
    it("is a fixed point: canonicalising parsed canonical JSON changes nothing", () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const once = canonicalJson(JSON.parse(JSON.stringify(value)));
          return canonicalJson(JSON.parse(once)) === once;
        }),
        { numRuns: 300 },
      );
    });
  });
});
