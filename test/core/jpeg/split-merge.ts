import { expect } from "chai";
import fc from "fast-check";

import { isDispError, type Kernel } from "@disp/protocol";
import {
  inspectJpeg,
  JpegUnsupportedError,
  mergeJpeg,
  parseJpegLayout,
  splitJpeg,
  type JpegLayout,
} from "@disp/core";

import {
  jimpDecode,
  jimpEncode,
  psnr,
  readFixture,
  sha256,
  supportedJpegs,
  syntheticBitmap,
  withoutExif,
} from "./helpers.js";
import type { Bitmap } from "./helpers.js";

const KERNELS: Kernel[] = [
  { height: 1, width: 1 },
  { height: 2, width: 2 },
  { height: 3, width: 2 },
  { height: 4, width: 4 },
  { height: 8, width: 8 },
];

function fits(layout: { mcusX: number; mcusY: number }, kernel: Kernel): boolean {
  return layout.mcusX >= kernel.width && layout.mcusY >= kernel.height;
}

/** The pixels of MCU tiles (i*kh+a, j*kw+b) of `whole`: what fragment (a, b) must show. */
function expectedFragmentPixels(whole: Bitmap, layout: JpegLayout, index: number): Bitmap {
  const { kh, kw } = layout.kernel;
  const a = Math.floor(index / kw);
  const b = index % kw;
  const { width, height } = layout.fragments[index] ?? { width: 0, height: 0 };
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const i = Math.floor(y / layout.mcuHeight);
    const sy = (i * kh + a) * layout.mcuHeight + (y % layout.mcuHeight);
    for (let x = 0; x < width; x++) {
      const j = Math.floor(x / layout.mcuWidth);
      const sx = (j * kw + b) * layout.mcuWidth + (x % layout.mcuWidth);
      data.set(
        whole.data.subarray((sy * whole.width + sx) * 4, (sy * whole.width + sx) * 4 + 4),
        (y * width + x) * 4,
      );
    }
  }
  return { width, height, data };
}

/** Box-downsamples `whole` by the kernel to the fragment's size: what "a small picture of the whole" means. */
function downsample(whole: Bitmap, kernel: Kernel, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < 4; ch++) {
        let sum = 0;
        let n = 0;
        for (let dy = 0; dy < kernel.height; dy++) {
          for (let dx = 0; dx < kernel.width; dx++) {
            const sy = Math.min(whole.height - 1, y * kernel.height + dy);
            const sx = Math.min(whole.width - 1, x * kernel.width + dx);
            sum += whole.data[(sy * whole.width + sx) * 4 + ch] ?? 0;
            n++;
          }
        }
        out[(y * width + x) * 4 + ch] = Math.round(sum / n);
      }
    }
  }
  return out;
}

describe("JPEG coefficient codec: split and merge", function () {
  for (const { name, bytes } of supportedJpegs()) {
    describe(`on ${name}`, function () {
      it("is reported supported", function () {
        const inspection = inspectJpeg(bytes);
        expect(inspection.supported, inspection.supported ? "" : inspection.reason).to.equal(true);
      });

      for (const kernel of KERNELS) {
        it(`rebuilds the file byte for byte from ${kernel.height}x${kernel.width} fragments and a JSON layout`, function () {
          const inspection = inspectJpeg(bytes);
          if (!inspection.supported) throw new Error(inspection.reason);
          if (!fits(inspection.info, kernel)) {
            // Too few MCUs for the kernel: the caller must fall back, and is told why.
            expect(() => splitJpeg(bytes, kernel))
              .to.throw(JpegUnsupportedError)
              .with.property("reason")
              .that.matches(/too small/);
            return;
          }
          const { fragments, layout } = splitJpeg(bytes, kernel);
          expect(fragments).to.have.length(kernel.height * kernel.width);
          const stored = parseJpegLayout(JSON.parse(JSON.stringify(layout)));
          const merged = mergeJpeg(fragments, stored);
          expect(sha256(merged)).to.equal(sha256(bytes));
          expect(merged.length).to.equal(bytes.length);
        });
      }

      it("writes 2x2 and 3x2 fragments that jimp decodes to exactly the original's MCUs", async function () {
        // Fragments carry no EXIF, so compare with the whole as stored, not as jimp rotates it.
        const whole = await jimpDecode(withoutExif(bytes));
        for (const kernel of [KERNELS[1], KERNELS[2]] as Kernel[]) {
          const { fragments, layout } = splitJpeg(bytes, kernel);
          for (let index = 0; index < fragments.length; index++) {
            const decoded = await jimpDecode(fragments[index] as Uint8Array);
            const expected = expectedFragmentPixels(whole, layout, index);
            expect([decoded.width, decoded.height]).to.deep.equal([expected.width, expected.height]);
            expect(psnr(decoded.data, expected.data), `fragment ${index}`).to.equal(Infinity);
          }
        }
      });
    });
  }

  it("keeps the fixture's metadata out of the fragments and inside the layout", function () {
    const [rocket] = supportedJpegs();
    const bytes = (rocket as { bytes: Uint8Array }).bytes;
    const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });
    const header = Buffer.from(layout.header, "base64");
    expect(header.includes(Buffer.from("ICC_PROFILE"))).to.equal(true);
    for (const fragment of fragments)
      expect(Buffer.from(fragment).includes(Buffer.from("ICC_PROFILE"))).to.equal(false);
  });

  it("writes fragments that look like the whole picture, smaller", async function () {
    const [rocket] = supportedJpegs();
    const bytes = (rocket as { bytes: Uint8Array }).bytes;
    const whole = await jimpDecode(bytes);
    const kernel = { height: 2, width: 2 };
    const { fragments } = splitJpeg(bytes, kernel);
    for (const fragment of fragments) {
      const decoded = await jimpDecode(fragment);
      const small = downsample(whole, kernel, decoded.width, decoded.height);
      // MCU pooling is coarser than pixel pooling, but the picture is the same one.
      expect(psnr(decoded.data, small)).to.be.greaterThan(18);
    }
  });

  it("keeps 2x2 fragments of the fixture within 1.15x of its size", function () {
    const [rocket] = supportedJpegs();
    const bytes = (rocket as { bytes: Uint8Array }).bytes;
    const { fragments } = splitJpeg(bytes, { height: 2, width: 2 });
    const total = fragments.reduce((sum, f) => sum + f.length, 0);
    expect(total / bytes.length).to.be.lessThan(1.15);
  });

  describe("on JPEGs written by jimp's own encoder", function () {
    it("round-trips byte for byte for random sizes, qualities and kernels", async function () {
      this.timeout(120_000);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 150 }),
          fc.integer({ min: 1, max: 120 }),
          fc.integer({ min: 1, max: 100 }),
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 8 }),
          fc.integer(),
          async (width, height, quality, kh, kw, seed) => {
            const bytes = await jimpEncode(syntheticBitmap(width, height, seed), quality);
            const inspection = inspectJpeg(bytes);
            if (!inspection.supported) throw new Error(inspection.reason);
            const kernel = { height: kh, width: kw };
            if (!fits(inspection.info, kernel)) {
              expect(() => splitJpeg(bytes, kernel)).to.throw(JpegUnsupportedError);
              return;
            }
            const { fragments, layout } = splitJpeg(bytes, kernel);
            expect(sha256(mergeJpeg(fragments, layout))).to.equal(sha256(bytes));
          },
        ),
        { numRuns: 40, seed: 20240601 },
      );
    });
  });

  describe("with an extended sequential (SOF1) frame", function () {
    it("round-trips and writes SOF1 fragments that jimp decodes", async function () {
      const bytes = readFixture("rocket.jpg");
      const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
      bytes[sof + 1] = 0xc1;
      const inspection = inspectJpeg(bytes);
      expect(inspection.supported && inspection.info.frame).to.equal("extended");
      const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });
      expect(sha256(mergeJpeg(fragments, layout))).to.equal(sha256(bytes));
      const fragment = fragments[0] as Uint8Array;
      expect(fragment.some((b, i) => b === 0xff && fragment[i + 1] === 0xc1)).to.equal(true);
      const decoded = await jimpDecode(fragment);
      expect([decoded.width, decoded.height]).to.deep.equal([320, 216]);
    });
  });

  describe("with a kernel outside 1..8", function () {
    it("throws JPEG_KERNEL_INVALID", function () {
      const [rocket] = supportedJpegs();
      const bytes = (rocket as { bytes: Uint8Array }).bytes;
      for (const kernel of [
        { height: 0, width: 2 },
        { height: 2, width: 9 },
        { height: 1.5, width: 2 },
      ]) {
        let caught: unknown;
        try {
          splitJpeg(bytes, kernel);
        } catch (error) {
          caught = error;
        }
        expect(isDispError(caught, "JPEG_KERNEL_INVALID"), `${kernel.height}x${kernel.width}`).to.equal(true);
      }
    });
  });
});
