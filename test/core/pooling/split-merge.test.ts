import { expect } from "chai";
import fc from "fast-check";

import { pixelHash, type Kernel } from "@disp/protocol";
import { merge, parseKernel, PoolingError, poolingLayout, split } from "@disp/core";

import { randomImage, sameBytes } from "../helpers.js";

const kernelArb = fc.record({
  height: fc.integer({ min: 1, max: 8 }),
  width: fc.integer({ min: 1, max: 8 }),
});
const sizeArb = fc.record({
  width: fc.integer({ min: 1, max: 1023 }),
  height: fc.integer({ min: 1, max: 517 }),
});

function pixelAt(data: Uint8Array, width: number, x: number, y: number): number[] {
  const p = (y * width + x) * 4;
  return [...data.subarray(p, p + 4)];
}

describe("split and merge", () => {
  it("merge(split(image)) is the identity for random sizes and kernels (property)", () => {
    fc.assert(
      fc.property(sizeArb, kernelArb, fc.integer(), ({ width, height }, kernel, seed) => {
        const image = randomImage(width, height, seed);
        const { layout, fragments } = split(image, kernel);
        const merged = merge(layout, fragments);
        expect(sameBytes(merged.data, image.data)).to.equal(true);
        expect(pixelHash(merged)).to.equal(pixelHash(image));
      }),
      { numRuns: 100 },
    );
  });

  it("is the identity for every kernel up to 8x8 on 1x1 and on an odd 1023x517 image", () => {
    const images = [randomImage(1, 1, 1), randomImage(1023, 517, 2), randomImage(7, 3, 3)];
    for (let kh = 1; kh <= 8; kh++) {
      for (let kw = 1; kw <= 8; kw++) {
        for (const image of images) {
          const { layout, fragments } = split(image, { height: kh, width: kw });
          expect(fragments).to.have.length(kh * kw);
          expect(
            sameBytes(merge(layout, fragments).data, image.data),
            `${kh}x${kw} ${image.width}x${image.height}`,
          ).to.equal(true);
        }
      }
    }
  });

  it("puts image pixel (i·kh + a, j·kw + b) at (i, j) of fragment a·kw + b, padding with the nearest edge pixel", () => {
    fc.assert(
      fc.property(
        fc.record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 40 }) }),
        kernelArb,
        fc.integer(),
        ({ width, height }, kernel, seed) => {
          const image = randomImage(width, height, seed);
          const { layout, fragments } = split(image, kernel);
          expect(layout.fragmentWidth).to.equal(Math.ceil(width / kernel.width));
          expect(layout.fragmentHeight).to.equal(Math.ceil(height / kernel.height));
          for (let a = 0; a < kernel.height; a++) {
            for (let b = 0; b < kernel.width; b++) {
              const fragment = fragments[a * kernel.width + b];
              if (fragment === undefined) throw new Error("missing fragment");
              for (let i = 0; i < fragment.height; i++) {
                for (let j = 0; j < fragment.width; j++) {
                  const y = Math.min(i * kernel.height + a, height - 1);
                  const x = Math.min(j * kernel.width + b, width - 1);
                  expect(pixelAt(fragment.data, fragment.width, j, i)).to.deep.equal(
                    pixelAt(image.data, width, x, y),
                  );
                }
              }
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("works on a misaligned pixel buffer (a view into a larger Buffer)", () => {
    const backing = new Uint8Array(1 + 9 * 5 * 4);
    backing.set(randomImage(9, 5, 9).data, 1);
    const image = { width: 9, height: 5, data: backing.subarray(1) };
    const { layout, fragments } = split(image, { height: 2, width: 3 });
    expect(sameBytes(merge(layout, fragments).data, image.data)).to.equal(true);
  });

  describe("when the input is wrong", () => {
    for (const kernel of [
      { height: 0, width: 2 },
      { height: 9, width: 1 },
      { height: 2, width: 1.5 },
    ] as Kernel[]) {
      it(`refuses kernel ${kernel.height}x${kernel.width} with KERNEL_INVALID`, () => {
        expect(() => split(randomImage(4, 4, 1), kernel))
          .to.throw(PoolingError)
          .with.property("code", "KERNEL_INVALID");
      });
    }

    it("parses 2x2 and 3X8, and refuses other kernel strings", () => {
      expect(parseKernel("2x2")).to.deep.equal({ height: 2, width: 2 });
      expect(parseKernel("3X8")).to.deep.equal({ height: 3, width: 8 });
      for (const text of ["2", "2x", "x2", "2x2x2", "0x1", "9x9", "axb"]) {
        expect(() => parseKernel(text), text)
          .to.throw(PoolingError)
          .with.property("code", "KERNEL_INVALID");
      }
    });

    it("refuses to merge a wrong number of fragments or a fragment of the wrong size", () => {
      const { layout, fragments } = split(randomImage(10, 10, 1), { height: 2, width: 2 });
      expect(() => merge(layout, fragments.slice(1)))
        .to.throw(PoolingError)
        .with.property("code", "FRAGMENTS_INVALID");
      const other = split(randomImage(12, 10, 1), { height: 2, width: 2 }).fragments;
      expect(() => merge(layout, [other[0] as (typeof other)[number], ...fragments.slice(1)]))
        .to.throw(PoolingError)
        .with.property("code", "FRAGMENTS_INVALID");
      expect(() => poolingLayout(0, 5, { height: 1, width: 1 })).to.throw(PoolingError);
    });
  });
});
