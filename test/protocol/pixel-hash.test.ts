import { createHash } from "node:crypto";

import { expect } from "chai";
import { Jimp } from "jimp";

import { pixelHash } from "@disp/protocol";
import { decodeImage } from "@disp/core";

import { fixtureBytes, randomImage } from "../core/helpers.js";

describe("pixelHash", () => {
  it("is SHA-256 over width, height (u32 big-endian), channels, bit depth, then the RGBA bytes", () => {
    const image = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 128]) };
    const header = [0, 0, 0, 2, 0, 0, 0, 1, 4, 8];
    const expected = createHash("sha256")
      .update(new Uint8Array([...header, ...image.data]))
      .digest("hex");
    expect(pixelHash(image)).to.equal(`0x${expected}`);
  });

  it("does not depend on the file format that carried the pixels", async () => {
    const png = await decodeImage(fixtureBytes("coffee.png"));
    const jimp = await Jimp.fromBuffer(Buffer.from(fixtureBytes("coffee.png")));
    for (const mime of ["image/bmp", "image/tiff"] as const) {
      const other = await decodeImage(await jimp.getBuffer(mime));
      expect(pixelHash(other), mime).to.equal(pixelHash(png));
    }
  });

  it("depends on the shape, not only on the bytes", () => {
    const image = randomImage(6, 4, 5);
    expect(pixelHash({ ...image, width: 4, height: 6 })).to.not.equal(pixelHash(image));
    expect(() => pixelHash({ ...image, width: 5 })).to.throw(RangeError);
  });
});
