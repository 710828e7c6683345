import { expect } from "chai";
import { Jimp } from "jimp";
import sharp from "sharp";

import { ImageError, decodeImage, isDispError, readImageHeader, type ImageErrorCode } from "@disp/core";

import { FIXTURES, fixtureBytes, sameBytes } from "../helpers.js";
import { BAD_FILES, BOMB_HEADERS, bombPng, twelveBitJpegHeader } from "./bad-files.js";

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
