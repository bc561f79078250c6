/**
 * The metadata's vintage dates (MetadataFormat.isoDate, the inverse of days-from-civil in Solidity) against
 * JavaScript's Date: on named edges (leap days, century years, 2038, 2106, five-digit years, the uint40 limit) and
 * on instants drawn across the whole uint40 range and at day boundaries.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { batchRecord, decodeMetadata, deployRenderer } from "../helpers/metadata.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const MAX_UINT40 = 2n ** 40n - 1n;
const DAY = 86_400n;

async function rendererFixture() {
  return deployRenderer(connection);
}

/** `YYYY-MM-DD` of Unix second `t`, by JavaScript's Date (years of five digits are written in full). */
function jsDate(t: bigint): string {
  const d = new Date(Number(t) * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${String(d.getUTCFullYear()).padStart(4, "0")}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/** Unix second of a UTC instant. */
function at(year: number, month: number, day: number, seconds = 0): bigint {
  return BigInt(Date.UTC(year, month - 1, day) / 1000 + seconds);
}

/** The renderer's vintage dates for two instants: [start, end] as traits, the card's text, and the raw seconds. */
async function renderedDates(start: bigint, end: bigint) {
  const renderer = await networkHelpers.loadFixture(rendererFixture);
  const { json, svg } = decodeMetadata(
    await renderer.render(1n, batchRecord({ vintageStart: start, vintageEnd: end }), "M", "P", "u/"),
  );
  const value = (name: string) => json.attributes.find((a) => a.trait_type === name)?.value;
  expect(json.properties.vintage_start).to.equal(Number(start));
  expect(json.properties.vintage_end).to.equal(Number(end));
  const dates = [value("Vintage start"), value("Vintage end")];
  expect(svg).to.include(`>${String(dates[0])} – ${String(dates[1])}</text>`);
  return dates;
}

describe("BatchMetadataRenderer vintage dates", function () {
  it("matches JavaScript's Date on leap days, century years, 2038, 2106, year 10000 and the uint40 limit", async function () {
    const edges: [bigint, string][] = [
      [0n, "1970-01-01"],
      [DAY - 1n, "1970-01-01"],
      [DAY, "1970-01-02"],
      [at(1972, 2, 29), "1972-02-29"],
      [at(1972, 2, 29, 86_399), "1972-02-29"],
      [at(1972, 3, 1), "1972-03-01"],
      [at(1999, 12, 31, 86_399), "1999-12-31"],
      [at(2000, 2, 29), "2000-02-29"], // divisible by 400: leap
      [at(2000, 3, 1), "2000-03-01"],
      [at(2023, 2, 28, 86_399), "2023-02-28"],
      [at(2023, 3, 1), "2023-03-01"],
      [at(2024, 12, 31, 86_399), "2024-12-31"],
      [2n ** 31n - 1n, "2038-01-19"],
      [at(2100, 2, 28, 86_399), "2100-02-28"], // divisible by 100 only: not leap
      [at(2100, 3, 1), "2100-03-01"],
      [at(2104, 2, 29), "2104-02-29"],
      [2n ** 32n - 1n, "2106-02-07"], // the last second a uint32 holds
      [2n ** 32n, "2106-02-07"],
      [at(2106, 12, 31, 86_399), "2106-12-31"],
      [at(2400, 2, 29), "2400-02-29"],
      [at(9999, 12, 31, 86_399), "9999-12-31"],
      [at(9999, 12, 31, 86_400), "10000-01-01"],
      [MAX_UINT40, "36812-02-20"],
    ];
    for (let i = 0; i < edges.length; i += 2) {
      const [start, end] = [edges[i]!, edges[i + 1] ?? edges[i]!];
      expect(jsDate(start[0]), `JavaScript ${start[0]}`).to.equal(start[1]);
      expect(jsDate(end[0]), `JavaScript ${end[0]}`).to.equal(end[1]);
      expect(await renderedDates(start[0], end[0]), `${start[0]}, ${end[0]}`).to.deep.equal([start[1], end[1]]);
    }
  });

  it("matches JavaScript's Date on instants across the uint40 range and at day boundaries", async function () {
    this.timeout(300_000);
    const anySecond = fc.bigInt({ min: 0n, max: MAX_UINT40 });
    const dayEdge = fc
      .tuple(fc.bigInt({ min: 0n, max: MAX_UINT40 / DAY - 1n }), fc.constantFrom(0n, 1n, DAY - 1n))
      .map(([day, second]) => day * DAY + second);
    // The years that most need the leap rules: 1970…2500 at full resolution.
    const nearTerm = fc.bigInt({ min: 0n, max: at(2500, 1, 1) });
    const instant = fc.oneof(anySecond, dayEdge, nearTerm);
    await fc.assert(
      fc.asyncProperty(instant, instant, async (start, end) => {
        expect(await renderedDates(start, end)).to.deep.equal([jsDate(start), jsDate(end)]);
      }),
      { numRuns: 400, seed: 13 },
    );
  });
});
