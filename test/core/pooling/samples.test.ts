import { expect } from "chai";
import fc from "fast-check";

import { mergeSamples, PoolingError, split, splitSamples } from "@disp/core";

import { pseudoRandomBytes, randomImage, sameBytes } from "../helpers.js";

const kernelArb = fc.record({
  height: fc.integer({ min: 1, max: 6 }),
  width: fc.integer({ min: 1, max: 6 }),
});
const sizeArb = fc.record({
  width: fc.integer({ min: 1, max: 97 }),
  height: fc.integer({ min: 1, max: 61 }),
});

describe("split and merge on 16-bit samples (splitSamples, mergeSamples)", () => {
  it("mergeSamples(splitSamples(plane)) is the identity for 2, 4, 6 and 8 bytes a pixel (property)", () => {
    fc.assert(
      fc.property(
        sizeArb,
        kernelArb,
        fc.constantFrom(2, 4, 6, 8),
        fc.integer(),
        ({ width, height }, kernel, bytesPerPixel, seed) => {
          const plane = {
            width,
            height,
            bytesPerPixel,
            data: pseudoRandomBytes(width * height * bytesPerPixel, seed),
          };
          const { layout, fragments } = splitSamples(plane, kernel);
          expect(fragments).to.have.length(kernel.height * kernel.width);
          const merged = mergeSamples(layout, fragments);
          expect(sameBytes(merged.data, plane.data)).to.equal(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("deals pixels out exactly as split does on RGBA, padding included (property)", () => {
    fc.assert(
      fc.property(sizeArb, kernelArb, fc.integer(), ({ width, height }, kernel, seed) => {
        const image = randomImage(width, height, seed);
        const rgba = split(image, kernel).fragments;
        const samples = splitSamples({ width, height, bytesPerPixel: 4, data: image.data }, kernel).fragments;
        samples.forEach((fragment, i) =>
          expect(sameBytes(fragment.data, rgba[i]?.data ?? new Uint8Array())).to.equal(true),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a plane whose bytes do not match its size", () => {
    const plane = { width: 3, height: 2, bytesPerPixel: 6, data: new Uint8Array(35) };
    expect(() => splitSamples(plane, { height: 2, width: 2 })).to.throw(PoolingError, /cannot be 35 bytes/);
  });
});
