/**
 * Token metadata (BatchMetadataRenderer, deployed standalone): every field of the JSON, every text of the SVG card,
 * each category and status, the kilogram and escaping rules, and that a retirement leaves the metadata unchanged.
 * Each document is decoded strictly (canonical base64, fatal UTF-8, JSON.parse, a strict XML parser on the card).
 * The card drawn in a real browser: metadata-card.test.ts; its dates against JavaScript's: metadata-dates.test.ts.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { CATEGORIES } from "../../sdk/src/enums.ts";
import {
  BASE_URI,
  BATCH_STATUS,
  METHODOLOGY,
  PARAMETERS,
  STATUS_COLOURS,
  assertWellFormedSvg,
  batchRecord,
  decodeMetadata,
  deployRenderer,
  svgTexts,
  type BatchRecord,
  type BatchStatusName,
} from "../helpers/metadata.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function rendererFixture() {
  return deployRenderer(connection);
}

/** Renders `record` as batch `id` with the default texts, or the texts given. */
async function render(
  record: BatchRecord,
  { id = 42n, methodology = METHODOLOGY, parameters = PARAMETERS, baseUri = BASE_URI } = {},
) {
  const renderer = await networkHelpers.loadFixture(rendererFixture);
  return decodeMetadata(await renderer.render(id, record, methodology, parameters, baseUri));
}

/** The value of the trait named `traitType`. */
function trait(json: { attributes: { trait_type: string; value: string | number }[] }, traitType: string) {
  const found = json.attributes.filter((a) => a.trait_type === traitType);
  expect(found, traitType).to.have.length(1);
  return found[0]!.value;
}

describe("BatchMetadataRenderer", function () {
  describe("render", function () {
    it("returns strict JSON with the batch's name, description, link, traits and properties", async function () {
      const { json } = await render(batchRecord());
      const { image, ...rest } = json;
      expect(image.startsWith("data:image/svg+xml;base64,")).to.equal(true);
      expect(rest).to.deep.equal({
        name: "I-TEC batch #42 (laptop)",
        description:
          "IT Asset Reuse Certificates: one I-TEC per verified refurbished device. " +
          "Lower carbon intensity than a new equivalent, not an offset.",
        decimals: 0,
        external_url: "https://registry.example/batches/42",
        attributes: [
          { trait_type: "Category", value: "laptop" },
          { trait_type: "Baseline (kg CO2e per device)", value: "984.960" },
          { trait_type: "Verified reduction (kg CO2e per device)", value: "261.023" },
          { trait_type: "Certified intensity (kg CO2e per device)", value: "723.937" },
          { trait_type: "Vintage start", value: "2024-01-01" },
          { trait_type: "Vintage end", value: "2024-12-31" },
          { trait_type: "Issued", display_type: "number", value: 1234 },
          { trait_type: "Methodology", value: "ITEC-CALC 1.0" },
          { trait_type: "Status", value: "active" },
        ],
        properties: {
          category: "laptop",
          baseline_kgco2e_per_device: "984.960",
          verified_reduction_kgco2e_per_device: "261.023",
          certified_intensity_kgco2e_per_device: "723.937",
          issued: 1234,
          status: "active",
          vintage_start: 1_704_067_200,
          vintage_end: 1_735_689_599,
          methodology: "ITEC-CALC 1.0",
          parameters: "ITEC-PARAMS-1",
        },
      });
    });

    it("draws a 400 × 400 SVG card with the batch's figures, vintage dates, methodology and status", async function () {
      const { svg } = await render(batchRecord());
      expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="400" height="400" /);
      expect(svgTexts(svg)).to.deep.equal([
        "I-TEC",
        "batch #42",
        "ACTIVE",
        "laptop",
        "kg CO₂e per device",
        "B̄ baseline",
        "V̄ verified reduction",
        "B̄ − V̄ certified intensity",
        "Vintage",
        "Issued",
        "984.960",
        "261.023",
        "723.937",
        "2024-01-01 – 2024-12-31",
        "1234",
        "Methodology: ITEC-CALC 1.0",
      ]);
    });

    it("names categories 1–6 as the SDK does and any other code 'unknown'", async function () {
      const codes = [0, 1, 2, 3, 4, 5, 6, 7, 255];
      for (const category of codes) {
        const { json, svg } = await render(batchRecord({ category }));
        const name = CATEGORIES[category - 1] ?? "unknown";
        expect(json.name, `code ${category}`).to.equal(`I-TEC batch #42 (${name})`);
        expect(trait(json, "Category")).to.equal(name);
        expect(json.properties.category).to.equal(name);
        expect(svgTexts(svg)[3]).to.equal(name);
      }
    });

    it("shows each status as a word and a colour of its own, in the card, the traits and the properties", async function () {
      const seen = new Set<string>();
      for (const [status, code] of Object.entries(BATCH_STATUS) as [BatchStatusName, number][]) {
        const { json, svg, text } = await render(batchRecord({ status: code }));
        expect(json.properties.status).to.equal(status);
        expect(trait(json, "Status")).to.equal(status);
        expect(svgTexts(svg)[2]).to.equal(status.toUpperCase());
        // The header band and the badge carry the status colour; no other status colour appears.
        expect(svg.split(`fill="${STATUS_COLOURS[status]}"`)).to.have.length(3);
        for (const other of Object.values(STATUS_COLOURS).filter((c) => c !== STATUS_COLOURS[status])) {
          expect(svg).not.to.include(other);
        }
        seen.add(text);
      }
      expect(seen.size).to.equal(3);
    });

    it("does not show or depend on the retired count, so a retirement changes no metadata", async function () {
      const before = await render(batchRecord({ retired: 0n }));
      const after = await render(batchRecord({ retired: 1_000n }));
      expect(after.text).to.equal(before.text);
      expect(before.text).not.to.match(/retired/i);
      expect(before.svg).not.to.match(/retired/i);
    });

    it("writes grams as kilograms with exactly three decimals, zero-padded", async function () {
      const cases: [bigint, bigint, [string, string, string]][] = [
        [1_000_000n, 1_000n, ["1000.000", "1.000", "999.000"]], // fraction 0
        [1_005n, 7n, ["1.005", "0.007", "0.998"]], // two zeros of padding
        [99_042n, 42n, ["99.042", "0.042", "99.000"]], // one zero
        [189_413n, 100n, ["189.413", "0.100", "189.313"]], // none
        [5n, 5n, ["0.005", "0.005", "0.000"]], // nothing certified, zero kilograms
        [2n ** 40n - 1n, 1n, ["1099511627.775", "0.001", "1099511627.774"]], // uint40 maximum
      ];
      for (const [baselineGrams, reductionGrams, [b, v, i]] of cases) {
        const { json, svg } = await render(batchRecord({ baselineGrams, reductionGrams }));
        expect(json.properties.baseline_kgco2e_per_device, `${baselineGrams}`).to.equal(b);
        expect(json.properties.verified_reduction_kgco2e_per_device).to.equal(v);
        expect(json.properties.certified_intensity_kgco2e_per_device).to.equal(i);
        expect(trait(json, "Baseline (kg CO2e per device)")).to.equal(b);
        expect(trait(json, "Verified reduction (kg CO2e per device)")).to.equal(v);
        expect(trait(json, "Certified intensity (kg CO2e per device)")).to.equal(i);
        expect(svgTexts(svg).slice(10, 13)).to.deep.equal([b, v, i]);
      }
    });

    it("writes batch ids and issued counts in full, from 0 to their type's maximum", async function () {
      for (const [id, issued] of [
        [0n, 0n],
        [1n, 1n],
        [2n ** 256n - 1n, 2n ** 32n - 1n],
      ] as const) {
        const { json, svg } = await render(batchRecord({ issued }), { id });
        expect(json.name).to.equal(`I-TEC batch #${id} (laptop)`);
        expect(json.external_url).to.equal(`${BASE_URI}${id}`);
        expect(json.properties.issued).to.equal(Number(issued));
        expect(trait(json, "Issued")).to.equal(Number(issued));
        expect(svgTexts(svg)[1]).to.equal(`batch #${id}`);
        expect(svgTexts(svg)[14]).to.equal(`${issued}`);
      }
    });

    it("escapes &, < and > of the methodology in the card and keeps it verbatim in the JSON", async function () {
      for (const methodology of ["&", "<v2>", "A&B <1.0> &amp; end>", "ITEC-CALC 1.0 – Łódź 東京", ""]) {
        const { json, svg } = await render(batchRecord(), { methodology });
        expect(json.properties.methodology).to.equal(methodology);
        expect(trait(json, "Methodology")).to.equal(methodology);
        expect(svgTexts(svg)[15]).to.equal(`Methodology: ${methodology}`);
      }
      const { svg } = await render(batchRecord(), { methodology: "A&B <1.0> &amp;" });
      expect(svg).to.include(">Methodology: A&amp;B &lt;1.0&gt; &amp;amp;</text>");
    });

    it("inserts the parameters and the external base URI as they are, UTF-8 included", async function () {
      const parameters = "grid=0.233 kg/kWh; lifetime 4 y; région Île-de-France";
      const { json, text } = await render(batchRecord(), { parameters, baseUri: "https://itec.example/b?id=" });
      expect(json.properties.parameters).to.equal(parameters);
      expect(json.external_url).to.equal("https://itec.example/b?id=42");
      expect(text).to.include('"parameters":"grid=0.233 kg/kWh; lifetime 4 y; région Île-de-France"');
    });

    it("reverts on a control byte in the methodology (the registry stores none)", async function () {
      const renderer = await networkHelpers.loadFixture(rendererFixture);
      await expect(
        renderer.render(1n, batchRecord(), "ITEC\u0005CALC", PARAMETERS, BASE_URI),
      ).to.be.revertedWithoutReason(ethers);
    });
  });

  describe("the strict decoder these tests use", function () {
    it("refuses malformed XML, non-canonical base64 and invalid UTF-8", async function () {
      const { svg } = await render(batchRecord());
      expect(() => assertWellFormedSvg(svg)).not.to.throw();
      expect(() => assertWellFormedSvg(svg.replace("Methodology: ", "Methodology: A & B"))).to.throw(/entity/);
      expect(() => assertWellFormedSvg(svg.replace("</g>", ""))).to.throw(/tag/);
      const json = (body: string) => `data:application/json;base64,${body}`;
      expect(() => decodeMetadata(json("e30"))).to.throw(/canonical/); // "{}" without its padding
      expect(() => decodeMetadata(json(Buffer.from([0x7b, 0xff, 0x7d]).toString("base64")))).to.throw(TypeError);
    });
  });
});
