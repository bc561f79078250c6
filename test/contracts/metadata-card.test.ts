/**
 * The metadata's SVG card as a wallet shows it: the `image` data URI in an <img> in real headless Chromium
 * (Debian's chromium driven by playwright-core). For each status it loads at 400 × 400, and its screenshot — saved
 * to test/output/metadata-card-<status>.png — shows the status colour in the header band and the badge, white
 * lettering on both, and dark text on the card's body (which stays blank when the card's texts are removed). At the
 * largest figures the texts still neither overlap nor leave the card.
 */
import { mkdirSync } from "node:fs";

import { expect } from "chai";
import { network } from "hardhat";
import type { Browser, Page } from "playwright-core";

import { launchChromium, requireChromium } from "../helpers/browser.ts";
import {
  BASE_URI,
  BATCH_STATUS,
  METHODOLOGY,
  PARAMETERS,
  STATUS_COLOURS,
  batchRecord,
  decodeMetadata,
  deployRenderer,
  type BatchStatusName,
} from "../helpers/metadata.ts";

const connection = await network.create();

/** The page globals the code run inside Chromium uses (the project compiles without the DOM library). */
interface DomImage {
  src: string;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  decode(): Promise<void>;
}
interface DomCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): { drawImage(i: DomImage, x: number, y: number): void; getImageData: ImageDataOf };
}
type ImageDataOf = (x: number, y: number, w: number, h: number) => { data: ArrayLike<number> };
interface DomText {
  readonly textContent: string;
  getBBox(): { x: number; y: number; width: number; height: number };
}
interface DomWindow {
  Image: new () => DomImage;
  document: {
    createElement(tag: "canvas"): DomCanvas;
    getElementById(id: string): DomImage | null;
    querySelectorAll(selector: "text"): Iterable<DomText>;
  };
}

/** What a region of an image looks like: its pixel count, and how many are near a colour / far from another. */
interface Region {
  pixels: number;
  /** Pixels within 8 per channel of `like`. */
  like: number;
  /** Pixels more than 96 (summed over channels) away from `unlike`. */
  unlike: number;
}

/** `#rrggbb` as [r, g, b]. */
function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/**
 * Measures regions [x, y, w, h, like, unlike] of the image at `src`, decoded by the page (PNG or SVG). The function
 * runs in the page, so it declares no named function (the TypeScript loader would wrap one in a helper the page
 * does not have).
 */
function measure(page: Page, src: string, regions: [number, number, number, number, string, string][]) {
  const colours = regions.map(([x, y, w, h, like, unlike]) => [x, y, w, h, rgb(like), rgb(unlike)] as const);
  return page.evaluate(
    async ({ src, regions }) => {
      const { Image, document } = globalThis as unknown as DomWindow;
      const image = new Image();
      image.src = src;
      await image.decode();
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [image.naturalWidth, image.naturalHeight];
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      return regions.map(([x, y, w, h, l, u]): Region => {
        const { data } = context.getImageData(x, y, w, h);
        let [near, far] = [0, 0];
        for (let i = 0; i < data.length; i += 4) {
          const px = [data[i]!, data[i + 1]!, data[i + 2]!];
          if (px.every((c, k) => Math.abs(c - l[k]!) <= 8)) near++;
          if (px.reduce((s, c, k) => s + Math.abs(c - u[k]!), 0) > 96) far++;
        }
        return { pixels: data.length / 4, like: near, unlike: far };
      });
    },
    { src, regions: colours },
  );
}

const BACKGROUND = "#f4f7f4";

describe("Token metadata card in headless Chromium", function () {
  this.timeout(180_000);
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];
  const errors: string[] = [];

  before(async function () {
    requireChromium(this);
    mkdirSync("test/output", { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 480, height: 480 } });
    page.on("request", (r) => {
      if (!r.url().startsWith("data:")) outside.push(r.url());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
  });
  after(async () => {
    await browser?.close();
  });

  for (const status of Object.keys(BATCH_STATUS) as BatchStatusName[]) {
    it(`shows the card of a batch in status ${status} in an <img>, in the colour and word of its status`, async function () {
      const renderer = await deployRenderer(connection);
      const record = batchRecord({ status: BATCH_STATUS[status] });
      const { json, svg } = decodeMetadata(await renderer.render(42n, record, METHODOLOGY, PARAMETERS, BASE_URI));
      await page.setContent(`<body style="margin:0;background:#fff"><img id="card" alt="card" src="${json.image}">`);
      const size = await page.evaluate(async () => {
        const card = (globalThis as unknown as DomWindow).document.getElementById("card")!;
        await card.decode();
        return [card.naturalWidth, card.naturalHeight];
      });
      expect(size).to.deep.equal([400, 400]);

      const path = `test/output/metadata-card-${status}.png`;
      const shot = await page.locator("#card").screenshot({ path });
      const seen = `data:image/png;base64,${shot.toString("base64")}`;
      const colour = STATUS_COLOURS[status];
      const [header, badge, body, corner] = await measure(page, seen, [
        [0, 0, 400, 72, colour, colour], // band: status colour, with white "I-TEC" and "batch #42"
        [24, 336, 352, 44, colour, colour], // badge: status colour, with the white status word
        [0, 90, 400, 240, BACKGROUND, BACKGROUND], // body: figures in dark text on the background
        [380, 380, 20, 20, BACKGROUND, BACKGROUND], // a corner of plain background
      ]);
      expect(header!.pixels).to.equal(400 * 72);
      expect(header!.like / header!.pixels, "band in the status colour").to.be.greaterThan(0.75);
      expect(header!.unlike, "white lettering on the band").to.be.greaterThan(500);
      expect(badge!.like / badge!.pixels, "badge in the status colour").to.be.greaterThan(0.7);
      expect(badge!.unlike, "white lettering on the badge").to.be.greaterThan(200);
      expect(body!.unlike, "dark text on the body").to.be.greaterThan(2_000);
      expect(corner!.like).to.equal(corner!.pixels);

      // The same card without its texts: the body is then blank, so the pixels above are the texts' glyphs.
      const textless = svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, "");
      const [bare] = await measure(page, `data:image/svg+xml;base64,${Buffer.from(textless).toString("base64")}`, [
        [0, 90, 400, 240, BACKGROUND, BACKGROUND],
      ]);
      expect(bare!.unlike).to.equal(0);
      expect(outside).to.deep.equal([]);
      expect(errors).to.deep.equal([]);
    });
  }

  it("keeps every text inside the card and clear of the others at the largest figures", async function () {
    const renderer = await deployRenderer(connection);
    const largest = batchRecord({
      category: 4, // smartphone, the longest name
      baselineGrams: 2n ** 40n - 1n,
      reductionGrams: 1n,
      issued: 2n ** 32n - 1n,
      vintageStart: 2n ** 40n - 1n, // a five-digit year
      vintageEnd: 2n ** 40n - 1n,
      status: BATCH_STATUS.suspended, // the longest status word
    });
    // Batch ids count up from 1: ten digits (4.3 billion batches) is far beyond any registry's life.
    const { svg } = decodeMetadata(await renderer.render(2n ** 32n - 1n, largest, METHODOLOGY, PARAMETERS, BASE_URI));
    await page.setContent(`<body style="margin:0">${svg}</body>`);
    const boxes = await page.evaluate(() =>
      [...(globalThis as unknown as DomWindow).document.querySelectorAll("text")].map((t) => {
        const { x, y, width, height } = t.getBBox();
        return { text: t.textContent, left: x, top: y, right: x + width, bottom: y + height };
      }),
    );
    expect(boxes).to.have.length(16);
    for (const [i, a] of boxes.entries()) {
      expect(a.left >= 0 && a.top >= 0 && a.right <= 400 && a.bottom <= 400, `${a.text} inside`).to.equal(true);
      for (const b of boxes.slice(i + 1)) {
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        expect(apart, `"${a.text}" clear of "${b.text}"`).to.equal(true);
      }
    }
    await page.screenshot({
      path: "test/output/metadata-card-largest.png",
      clip: { x: 0, y: 0, width: 400, height: 400 },
    });
    expect(errors).to.deep.equal([]);
  });
});
