import { expect } from "chai";
import fc from "fast-check";

import { PoolingError, decodeImage, psnr, recover, split, type Fragment } from "@disp/core";

import { FIXTURES, fixtureBytes, randomImage, sameBytes } from "../helpers.js";

const kernelArb = fc.record({
  height: fc.integer({ min: 1, max: 4 }),
  width: fc.integer({ min: 1, max: 4 }),
});

/** Every way to choose `k` of `n` indices. */
function choose(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) {
    for (const rest of choose(n - first - 1, k - 1)) out.push([first, ...rest.map((i) => i + first + 1)]);
  }
  return out;
}

describe("recover", () => {
  it("never touches a pixel of a present fragment, and fills every missing one (property)", () => {
    fc.assert(
      fc.property(
        fc.record({ width: fc.integer({ min: 1, max: 120 }), height: fc.integer({ min: 1, max: 90 }) }),
        kernelArb,
        fc.integer(),
        fc.infiniteStream(fc.boolean()),
        ({ width, height }, kernel, seed, coin) => {
          const image = randomImage(width, height, seed);
          const { layout, fragments } = split(image, kernel);
          const slots: (Fragment | undefined)[] = fragments.map((f) => (coin.next().value ? f : undefined));
          const keep = Math.abs(seed) % slots.length; // at least one fragment must be present
          if (!slots.some((slot) => slot !== undefined)) slots[keep] = fragments[keep];
          const result = recover(layout, slots);

          const missing = slots.flatMap((slot, index) => (slot === undefined ? [index] : []));
          expect(result.missing).to.deep.equal(missing);
          expect(result.exact).to.equal(missing.length === 0);
          // Counted, then asserted once: a chai call per pixel made this test slow on a busy machine.
          let estimated = 0;
          let touched = 0;
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              const index = (y % kernel.height) * kernel.width + (x % kernel.width);
              const p = (y * width + x) * 4;
              if (slots[index] === undefined) estimated++;
              else if (!sameBytes(result.image.data.subarray(p, p + 4), image.data.subarray(p, p + 4)))
                touched++;
            }
          }
          expect(touched).to.equal(0);
          expect(result.estimatedPixels).to.equal(estimated);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("estimates a missing pixel between its neighbours, not by copying one", () => {
    // A horizontal ramp: the missing odd columns must come back as the mean of their neighbours.
    const width = 8;
    const height = 4;
    const data = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) data.set([(p % width) * 20, 0, 0, 255], p * 4);
    const { layout, fragments } = split({ width, height, data }, { height: 1, width: 2 });
    const result = recover(layout, [fragments[0], undefined]);
    expect(result.image.data[3 * 4]).to.equal(60); // column 3 between 40 and 80
    expect(result.image.data[5 * 4]).to.equal(100);
    expect(result.estimatedPixels).to.equal(16);
  });

  it("refuses when no fragment is present", () => {
    const { layout } = split(randomImage(4, 4, 1), { height: 2, width: 2 });
    expect(() => recover(layout, [undefined, undefined, undefined, undefined]))
      .to.throw(PoolingError)
      .with.property("code", "FRAGMENTS_NONE_PRESENT");
  });

  describe("on the fixture photographs with a 2x2 kernel", () => {
    for (const name of FIXTURES) {
      it(`keeps ${name} at >= 30 dB PSNR with any 1 of 4 fragments lost`, async () => {
        const image = await decodeImage(fixtureBytes(name));
        const { layout, fragments } = split(image, { height: 2, width: 2 });
        for (const [lost] of choose(4, 1)) {
          const result = recover(
            layout,
            fragments.map((f, i) => (i === lost ? undefined : f)),
          );
          expect(result.exact).to.equal(false);
          expect(psnr(image, result.image), `fragment ${lost} lost`).to.be.at.least(30);
        }
      });
    }

    it("degrades gracefully with 2 and 3 of 4 lost (> 25 dB on every fixture)", async () => {
      for (const name of FIXTURES) {
        const image = await decodeImage(fixtureBytes(name));
        const { layout, fragments } = split(image, { height: 2, width: 2 });
        for (const lost of [...choose(4, 2), ...choose(4, 3)]) {
          const result = recover(
            layout,
            fragments.map((f, i) => (lost.includes(i) ? undefined : f)),
          );
          expect(psnr(image, result.image), `${name}, lost ${lost.join(",")}`).to.be.greaterThan(25);
        }
      }
    });
  });

  describe("psnr", () => {
    it("is Infinity for identical images and finite otherwise", () => {
      const a = randomImage(8, 8, 1);
      expect(psnr(a, a)).to.equal(Infinity);
      const b = { ...a, data: a.data.slice() };
      b.data[0] = (b.data[0] as number) ^ 0xff;
      expect(psnr(a, b)).to.be.lessThan(Infinity).and.greaterThan(0);
    });
  });
});
