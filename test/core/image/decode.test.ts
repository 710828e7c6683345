import { expect } from "chai";
import fc from "fast-check";
import { Jimp } from "jimp";
import sharp from "sharp";

import { isDispError } from "@disp/protocol";
import { decodeImage, ImageError, readImageHeader, type ImageErrorCode } from "@disp/core";

import { FIXTURES, fixtureBytes, sameBytes } from "../helpers.js";
import {
  BAD_FILES,
  BOMB_HEADERS,
  TRAP_FILES,
  bombPng,
  shortDataPng,
  twelveBitJpegHeader,
} from "./bad-files.js";

async function refusal(bytes: Uint8Array, maxPixels?: number): Promise<ImageError> {
  try {
    await decodeImage(bytes, { maxPixels });
  } catch (error) {
    expect(error).to.be.instanceOf(ImageError);
    return error as ImageError;
  }
  throw new Error("expected decodeImage to refuse the file");
}

describe("decodeImage", () => {
  describe("on the fixture photographs", () => {
    for (const name of FIXTURES) {
      it(`decodes ${name} to RGBA of the header's size`, async () => {
        const bytes = fixtureBytes(name);
        const header = readImageHeader(bytes);
        const image = await decodeImage(bytes);
        expect([image.width, image.height]).to.deep.equal([header.width, header.height]);
        expect(image.data.length).to.equal(image.width * image.height * 4);
      });
    }

    it("gives grey images as RGBA with R = G = B", async () => {
      const image = await decodeImage(fixtureBytes("camera.png"));
      for (let p = 0; p < image.data.length; p += 4 * 97) {
        expect(image.data[p + 1]).to.equal(image.data[p]);
        expect(image.data[p + 2]).to.equal(image.data[p]);
        expect(image.data[p + 3]).to.equal(255);
      }
    });
  });

  describe("on every supported format", () => {
    for (const mime of ["image/bmp", "image/gif", "image/tiff", "image/jpeg", "image/png"] as const) {
      it(`reads ${mime} with the same size and pixels jimp gives`, async () => {
        const source = await Jimp.fromBuffer(Buffer.from(fixtureBytes("chelsea.png")));
        const bytes = await source.getBuffer(mime);
        const image = await decodeImage(bytes);
        const reference = await Jimp.fromBuffer(bytes);
        expect([image.width, image.height]).to.deep.equal([451, 300]);
        expect(sameBytes(image.data, reference.bitmap.data)).to.equal(true);
      });
    }

    it("reads a palette PNG as the RGBA its palette gives", async () => {
      const bytes = await sharp(fixtureBytes("coffee.png")).png({ palette: true, colours: 64 }).toBuffer();
      expect(bytes[25], "colour type 3 (palette)").to.equal(3);
      const image = await decodeImage(bytes);
      const reference = await sharp(bytes).ensureAlpha().raw().toBuffer();
      expect(sameBytes(image.data, reference)).to.equal(true);
    });
  });

  describe("on PNG image data", () => {
    it("reads an interlaced PNG of odd size with the pixels sharp gives", async () => {
      const bytes = await sharp(fixtureBytes("chelsea.png")).png({ progressive: true }).toBuffer();
      expect(bytes[28], "interlace method (Adam7)").to.equal(1);
      const image = await decodeImage(bytes);
      const reference = await sharp(bytes).ensureAlpha().raw().toBuffer();
      expect([image.width, image.height]).to.deep.equal([451, 300]);
      expect(sameBytes(image.data, reference)).to.equal(true);
    });

    it("reads a PNG whose image data is split over many IDAT chunks", async () => {
      const source = await Jimp.fromBuffer(Buffer.from(fixtureBytes("chelsea.png")));
      const bytes = await sharp(await source.getBuffer("image/png"))
        .png({ compressionLevel: 0 })
        .toBuffer();
      expect(Buffer.from(bytes).toString("latin1").split("IDAT").length - 1).to.be.greaterThan(1);
      const image = await decodeImage(bytes);
      expect(sameBytes(image.data, source.bitmap.data)).to.equal(true);
    });

    it("refuses a PNG without image data every time, never a picture of the heap", async () => {
      const codes = new Set<string>();
      for (let run = 0; run < 200; run++) codes.add((await refusal(bombPng(64, 64))).code);
      expect([...codes]).to.deep.equal(["IMAGE_CORRUPT"]);
    });

    it("says how much of the image data is missing", async () => {
      const error = await refusal(shortDataPng(32));
      expect(error.message).to.match(/holds 8224 of the 16448 bytes its size needs/);
    });
  });

  describe("on more than 8 bits per channel", () => {
    it("refuses a 16-bit PNG instead of reducing it", async () => {
      const bytes = await sharp(fixtureBytes("coffee.png")).toColourspace("rgb16").png().toBuffer();
      expect(bytes[24], "bit depth").to.equal(16);
      const error = await refusal(bytes);
      expect(error.code).to.equal("IMAGE_UNSUPPORTED");
      expect(error.message).to.match(/16-bit PNG is not supported/);
    });

    it("refuses a 16-bit TIFF instead of reducing it", async () => {
      const bytes = await sharp(fixtureBytes("coffee.png"))
        .toColourspace("rgb16")
        .tiff({ compression: "none" })
        .toBuffer();
      const error = await refusal(bytes);
      expect(error.code).to.equal("IMAGE_UNSUPPORTED");
      expect(error.message).to.match(/16-bit TIFF/);
    });
  });

  it("refuses a 12-bit JPEG from its frame header", async () => {
    const error = await refusal(twelveBitJpegHeader());
    expect(error.code).to.equal("IMAGE_UNSUPPORTED");
    expect(error.message).to.match(/12-bit JPEG/);
  });

  describe("on bad files", () => {
    const expected: Record<string, ImageErrorCode> = {
      empty: "IMAGE_EMPTY",
      "random bytes": "IMAGE_UNKNOWN_FORMAT",
    };
    for (const [name, make] of Object.entries(BAD_FILES)) {
      const code = expected[name] ?? "IMAGE_CORRUPT";
      it(`refuses ${name} with ${code}`, async () => {
        const error = await refusal(await make());
        expect(error.code).to.equal(code);
        expect(isDispError(error, code)).to.equal(true);
        expect(error.message.length).to.be.greaterThan(10);
      });
    }
  });

  it("answers any bytes behind a known signature with a size or an ImageError, never another error (property)", async () => {
    const signatures = [
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0xff, 0xd8, 0xff],
      [0x42, 0x4d],
      [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
      [0x49, 0x49, 0x2a, 0x00],
      [0x4d, 0x4d, 0x00, 0x2a],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signatures),
        fc.uint8Array({ maxLength: 300 }),
        async (signature, tail) => {
          const bytes = new Uint8Array([...signature, ...tail]);
          try {
            await decodeImage(bytes, { maxPixels: 100_000 });
          } catch (error) {
            expect(error, String(error)).to.be.instanceOf(ImageError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("decodes or refuses with an ImageError any small file of each format with bytes flipped (property)", async () => {
    const source = await Jimp.fromBuffer(Buffer.from(fixtureBytes("chelsea.png")));
    source.resize({ w: 24, h: 16 });
    const files = await Promise.all(
      (["image/png", "image/jpeg", "image/bmp", "image/gif", "image/tiff"] as const).map((mime) =>
        source.getBuffer(mime),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (file, flips) => {
          const bytes = new Uint8Array(file);
          for (const [at, mask] of flips)
            bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask;
          const t0 = performance.now();
          try {
            await decodeImage(bytes, { maxPixels: 20_000 });
            const ms = performance.now() - t0;
            if (ms > 100) console.log("SLOW ok", ms, file.length, JSON.stringify(flips));
          } catch (error) {
            const ms = performance.now() - t0;
            if (ms > 100)
              console.log("SLOW err", ms, file.length, JSON.stringify(flips), String(error).slice(0, 200));
            expect(error, String(error)).to.be.instanceOf(ImageError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("refuses, quickly, a GIF whose LZW codes would send the decoder round a loop (found by the property below)", async () => {
    // Before patches/omggif@1.0.10.patch this call never returned.
    const error = await refusal(fixtureBytes("bad/gif-lzw-cycle.gif"));
    expect(error.code).to.equal("IMAGE_CORRUPT");
    expect(error.message).to.match(/Invalid LZW code/);
  });

  describe("on files that would trap a decoder trusting its tables", () => {
    for (const [name, make] of Object.entries(TRAP_FILES)) {
      it(`refuses a ${name} with IMAGE_CORRUPT, from the header`, async () => {
        expect(() => readImageHeader(make()))
          .to.throw(ImageError)
          .with.property("code", "IMAGE_CORRUPT");
        expect((await refusal(make())).code).to.equal("IMAGE_CORRUPT");
      });
    }
  });

  describe("on a bomb header", () => {
    it("refuses 100000 × 100000 from the header, before any pixel buffer exists", async () => {
      const before = process.memoryUsage().arrayBuffers;
      const error = await refusal(bombPng(100_000, 100_000));
      expect(error.code).to.equal("IMAGE_TOO_LARGE");
      expect(error.message).to.match(/100000 × 100000/);
      // The file has no image data: had a decoder run, the error would be IMAGE_CORRUPT, and a
      // 40 GB buffer would have been attempted. Nothing near that size was allocated.
      expect(process.memoryUsage().arrayBuffers - before).to.be.lessThan(16 * 2 ** 20);
    });

    for (const [name, make] of Object.entries(BOMB_HEADERS)) {
      it(`refuses a ${name} header with IMAGE_TOO_LARGE`, async () => {
        expect(readImageHeader(make()).pixelsToDecode).to.be.greaterThan(100_000_000);
        expect((await refusal(make())).code).to.equal("IMAGE_TOO_LARGE");
      });
    }

    it("honours a configured limit", async () => {
      const bytes = fixtureBytes("coffee.png");
      expect((await refusal(bytes, 600 * 400 - 1)).code).to.equal("IMAGE_TOO_LARGE");
      expect((await decodeImage(bytes, { maxPixels: 600 * 400 })).width).to.equal(600);
    });
  });
});
