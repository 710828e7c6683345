import { expect } from "chai";

import { type RgbaImage } from "@disp/protocol";
import { decodeImage, merge, recover, split } from "@disp/core";
import {
  ContactSheetError,
  composeContactSheet,
  MAX_SHEET_WIDTH,
  planContactSheet,
  type PanelPlacement,
  type SheetPanel,
} from "@disp/devkit";

import { fixtureBytes } from "../core/helpers.js";

/** Original, its 2x2 fragments, the exact merge and the recovery without fragment 1. */
async function storyPanels(fixture: string): Promise<SheetPanel[]> {
  const original = await decodeImage(fixtureBytes(fixture));
  const { layout, fragments } = split(original, { height: 2, width: 2 });
  const approximate = recover(
    layout,
    fragments.map((f, i) => (i === 1 ? undefined : f)),
  ).image;
  return [
    { label: "original", image: original },
    ...fragments.map((image, i) => ({ label: `fragment ${i}`, image })),
    { label: "rebuilt", image: merge(layout, fragments) },
    { label: "approximate", image: approximate },
  ];
}

function pixel(image: RgbaImage, x: number, y: number): number[] {
  const at = (y * image.width + x) * 4;
  return [...image.data.subarray(at, at + 4)];
}

/**
 * Mean absolute difference per channel between the sheet region of a panel and the panel sampled
 * at the matching position (nearest pixel), so it is small only if the panel is drawn there.
 */
function regionError(sheet: RgbaImage, place: PanelPlacement, panel: RgbaImage, upsideDown = false): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < place.height; y += 3) {
    for (let x = 0; x < place.width; x += 3) {
      const sx = Math.min(panel.width - 1, Math.floor(((x + 0.5) * panel.width) / place.width));
      const sy = Math.min(panel.height - 1, Math.floor(((y + 0.5) * panel.height) / place.height));
      const b = pixel(panel, sx, upsideDown ? panel.height - 1 - sy : sy);
      const a = pixel(sheet, place.x + x, place.y + y);
      for (let c = 0; c < 3; c++) sum += Math.abs((a[c] as number) - (b[c] as number));
      n += 3;
    }
  }
  return sum / n;
}

/** Pixels in the label box whose luminance is on the far side of 128 from the background. */
function inkPixels(sheet: RgbaImage, place: PanelPlacement, dark: boolean): number {
  let count = 0;
  for (let y = place.labelY; y < place.labelY + place.labelHeight; y++) {
    for (let x = place.labelX; x < place.labelX + place.labelWidth; x++) {
      const [r, g, b] = pixel(sheet, x, y) as [number, number, number, number];
      const luminance = 0.299 * r + 0.587 * g + 0.114 * b;
      if (dark ? luminance < 100 : luminance > 155) count++;
    }
  }
  return count;
}

function overlaps(a: PanelPlacement, b: PanelPlacement): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function expectInsideAndApart(plan: {
  width: number;
  height: number;
  panels: readonly PanelPlacement[];
}): void {
  plan.panels.forEach((place, i) => {
    expect(place.x).to.be.at.least(1);
    expect(place.y).to.be.at.least(1);
    expect(place.x + place.width).to.be.at.most(plan.width - 1);
    expect(place.labelY + place.labelHeight).to.be.at.most(plan.height);
    for (const other of plan.panels.slice(i + 1)) expect(overlaps(place, other)).to.equal(false);
  });
}

describe("composeContactSheet", () => {
  describe("with a photograph larger than the panel size", () => {
    it("draws every panel scaled, fragments at their size relative to the original, labels under them", async () => {
      const panels = await storyPanels("astronaut.png"); // 512 x 512
      const plan = await planContactSheet(panels, { title: "astronaut" });
      const sheet = await decodeImage(await composeContactSheet(panels, { title: "astronaut" }));

      expect([sheet.width, sheet.height]).to.deep.equal([plan.width, plan.height]);
      expect(sheet.width).to.be.below(2000);
      expect(sheet.height).to.be.below(2000);
      expectInsideAndApart(plan);

      const [original, ...rest] = plan.panels as [PanelPlacement, ...PanelPlacement[]];
      expect([original.width, original.height]).to.deep.equal([480, 480]);
      for (const fragment of rest.slice(0, 4)) {
        expect([fragment.width, fragment.height]).to.deep.equal([240, 240]);
        expect(fragment.y).to.be.above(original.y + original.height); // the original has its own row
      }
      for (const result of rest.slice(4)) expect([result.width, result.height]).to.deep.equal([480, 480]);

      plan.panels.forEach((place, i) => {
        const panel = (panels[i] as SheetPanel).image;
        expect(regionError(sheet, place, panel), `panel ${i}`).to.be.below(8);
        // Against the panel upside down the error is large: the check above does tell pictures apart.
        expect(regionError(sheet, place, panel, true)).to.be.above(20);
        expect(inkPixels(sheet, place, true), `label ${i}`).to.be.above(20);
        expect(pixel(sheet, place.x - 1, place.y - 1)).to.deep.equal([128, 128, 128, 255]); // border
      });
      expect(plan.title?.text).to.equal("astronaut");
    });
  });

  describe("with panels that fit unscaled", () => {
    it("copies every pixel as it is", async () => {
      const panels = await storyPanels("chelsea.png"); // 451 x 300
      const plan = await planContactSheet(panels);
      const sheet = await decodeImage(await composeContactSheet(panels));
      plan.panels.forEach((place, i) => {
        const panel = (panels[i] as SheetPanel).image;
        expect([place.width, place.height]).to.deep.equal([panel.width, panel.height]);
        for (let y = 0; y < panel.height; y++) {
          const got = sheet.data.subarray(
            ((place.y + y) * sheet.width + place.x) * 4,
            ((place.y + y) * sheet.width + place.x + panel.width) * 4,
          );
          const want = panel.data.subarray(y * panel.width * 4, (y + 1) * panel.width * 4);
          if (!Buffer.from(got).equals(Buffer.from(want))) expect.fail(`panel ${i} row ${y} differs`);
        }
      });
    });
  });

  describe("on a dark background", () => {
    it("draws the labels light", async () => {
      const panels = (await storyPanels("coffee.png")).slice(0, 3);
      const options = { background: 0x202020ff, maxPanelWidth: 200 };
      const plan = await planContactSheet(panels, options);
      const sheet = await decodeImage(await composeContactSheet(panels, options));
      expect(pixel(sheet, 0, 0)).to.deep.equal([0x20, 0x20, 0x20, 255]);
      for (const place of plan.panels) expect(inkPixels(sheet, place, false)).to.be.above(20);
      expect([plan.panels[0]?.width, plan.panels[0]?.height]).to.deep.equal([200, 133]); // 600 x 400 fitted
    });
  });

  describe("with a transparent panel", () => {
    it("shows the background through it, inside the frame", async () => {
      const clear = { width: 40, height: 30, data: new Uint8Array(40 * 30 * 4) };
      const panels = [{ label: "clear", image: clear }];
      const options = { background: 0x3366ccff };
      const [place] = (await planContactSheet(panels, options)).panels as [PanelPlacement];
      const sheet = await decodeImage(await composeContactSheet(panels, options));
      expect(pixel(sheet, place.x, place.y)).to.deep.equal([0x33, 0x66, 0xcc, 255]);
      expect(pixel(sheet, place.x + 39, place.y + 29)).to.deep.equal([0x33, 0x66, 0xcc, 255]);
      expect(pixel(sheet, place.x + 40, place.y + 30)).to.deep.equal([128, 128, 128, 255]);
    });
  });

  describe("with many panels", () => {
    it("wraps them into rows no wider than the sheet limit", async () => {
      const original = await decodeImage(fixtureBytes("camera.png"));
      const { fragments } = split(original, { height: 8, width: 8 });
      const panels = [
        { label: "original", image: original },
        ...fragments.map((image, i) => ({ label: `fragment ${i}`, image })),
      ];
      const plan = await planContactSheet(panels);
      expect(plan.width).to.be.at.most(MAX_SHEET_WIDTH);
      expectInsideAndApart(plan);
      const rows = new Set(plan.panels.slice(1).map((place) => place.y));
      expect(rows.size).to.be.above(1);
    });
  });

  describe("with bad input", () => {
    it("refuses no panels, a malformed image and a bad option", async () => {
      const image = { width: 2, height: 2, data: new Uint8Array(16) };
      const cases: [readonly SheetPanel[], object][] = [
        [[], {}],
        [[{ label: "short", image: { width: 2, height: 2, data: new Uint8Array(15) } }], {}],
        [[{ label: "ok", image }], { maxPanelWidth: 0 }],
        [[{ label: "ok", image }], { background: -1 }],
      ];
      for (const [panels, options] of cases) {
        const error: unknown = await composeContactSheet(panels, options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ContactSheetError);
        expect((error as ContactSheetError).code).to.equal("CONTACT_SHEET_INVALID");
      }
    });
  });
});
