import { deflateSync, inflateSync } from "node:zlib";

import { expect } from "chai";
import { Jimp } from "jimp";

import { pixelHash, sha256Hex, type Kernel } from "@disp/protocol";
import {
  decodeImage,
  encodeImageFile,
  fileMatchesContentHash,
  ImageError,
  MAX_PNG_METADATA_BYTES,
  parseManifest,
  rebuildImageFile,
  type EncodedImage,
} from "@disp/core";

import { fixtureBytes, sameBytes } from "../helpers.js";
import { rebuildAll, refusal } from "./helpers.js";
import { chunksOf, metadataOf, pngCorpus, readPngCorpus, samplesOf, withChunk } from "./png-helpers.js";

const KERNEL: Kernel = { height: 2, width: 3 };

/** What the corpus files (Pillow, ImageMagick, optipng: all libpng and zlib) come back as. */
const FILE_EXACT = [
  "gimp-style-icc-text.png",
  "magick-adam7.png",
  "magick-gray16.png",
  "magick-rgb-q95.png",
  "magick-rgb16.png",
  "magick-rgba16.png",
  "optipng-rgb.png",
  "pillow-gray-1bit.png",
  "pillow-gray.png",
  "pillow-palette-4bit.png",
  "pillow-palette-trns.png",
  "pillow-rgb-optimize.png",
  "pillow-rgb.png",
  "pillow-rgba-level1.png",
];

async function storeAndRebuild(source: Uint8Array) {
  const encoded = await encodeImageFile(source, { kernel: KERNEL });
  const manifest = parseManifest(encoded.manifestBytes);
  expect(manifest).to.deep.equal(encoded.manifest);
  return { encoded, rebuilt: await rebuildAll(manifest, encoded) };
}

async function expectViewableFragments(encoded: EncodedImage, deep: boolean): Promise<void> {
  const { width, height } = encoded.manifest.image;
  for (const fragment of encoded.fragments) {
    expect(fragment.bytes[24], "fragment bit depth").to.equal(deep ? 16 : 8);
    const image = await Jimp.fromBuffer(Buffer.from(fragment.bytes));
    expect([image.width, image.height]).to.deep.equal([
      Math.ceil(width / KERNEL.width),
      Math.ceil(height / KERNEL.height),
    ]);
  }
}

describe("the png codec on PNG files: the stored file comes back", function () {
  this.timeout(120_000);

  it("has the corpus the tests name", () => {
    expect(pngCorpus()).to.deep.equal([...FILE_EXACT].sort());
  });

  for (const name of FILE_EXACT) {
    it(`gives back ${name} byte for byte (fileExact), from fragments jimp decodes`, async () => {
      const source = readPngCorpus(name);
      const { encoded, rebuilt } = await storeAndRebuild(source);
      expect(encoded.codec).to.equal("png");
      expect(encoded.fidelity).to.equal("fileExact");
      expect(rebuilt.fidelity).to.equal("fileExact");
      expect(rebuilt.exact).to.equal(true);
      expect(rebuilt.contentHashVerified).to.equal(true);
      expect(rebuilt.extension).to.equal("png");
      expect(Buffer.from(rebuilt.bytes).equals(source)).to.equal(true);
      expect(encoded.manifest.codec.name === "png" && encoded.manifest.codec.source?.sha256).to.equal(
        sha256Hex(source),
      );
      await expectViewableFragments(encoded, source[24] === 16);
    });
  }

  it("keeps the GIMP-style file's chunks in its manifest, in file order", async () => {
    const source = readPngCorpus("gimp-style-icc-text.png");
    const encoded = await encodeImageFile(source, { kernel: KERNEL });
    const section = encoded.manifest.codec;
    if (section.name !== "png" || section.source === undefined) throw new Error("no PNG source recorded");
    expect(section.source.chunks.map((chunk) => chunk.type)).to.deep.equal([
      "iCCP",
      "tEXt",
      "zTXt",
      "iTXt",
      "tIME",
      "prVt",
      "pHYs",
      "bKGD",
    ]);
    const iccp = chunksOf(source).find((chunk) => chunk.type === "iCCP");
    expect(
      Buffer.from(section.source.chunks[0]?.data ?? "", "base64").equals(iccp?.data ?? Buffer.alloc(1)),
    ).to.equal(true);
  });

  it("hashes a 16-bit PNG's pixels the same from the file, so verify --file proves it", async () => {
    const source = readPngCorpus("magick-rgba16.png");
    const encoded = await encodeImageFile(source, { kernel: KERNEL });
    expect(await fileMatchesContentHash(encoded.manifest, source)).to.equal(true);
    const { data } = await samplesOf(source);
    expect(data.length, "libvips reads 16-bit samples").to.equal(203 * 117 * 4 * 2);
  });

  describe("a PNG whose image data cannot be reproduced (zlib's output differs)", () => {
    it("gives back the same pixels and the same chunks in a re-encoded file (contentExact)", async () => {
      const source = fixtureBytes("astronaut.png");
      const { encoded, rebuilt } = await storeAndRebuild(source);
      expect(encoded.fidelity).to.equal("contentExact");
      expect(rebuilt.fidelity).to.equal("contentExact");
      expect(rebuilt.contentHashVerified).to.equal(true);
      expect(sameBytes(rebuilt.bytes, source)).to.equal(false);
      expect(metadataOf(rebuilt.bytes)).to.deep.equal(metadataOf(source));
      const [before, after] = await Promise.all([samplesOf(source), samplesOf(rebuilt.bytes)]);
      expect(after.info).to.deep.equal(before.info);
      expect(after.data.equals(before.data), "libvips decodes the same pixels").to.equal(true);
      expect(pixelHash(await decodeImage(rebuilt.bytes))).to.equal(encoded.contentHash);
    });

    for (const name of ["magick-rgb16.png", "magick-adam7.png", "pillow-palette-4bit.png"]) {
      it(`re-encodes ${name} at its own depth, colour type and interlace when its zlib stream is not reproducible`, async () => {
        // The same samples in a zlib stream of settings no PNG writer uses (memLevel 2), so none is tried.
        const original = readPngCorpus(name);
        const idat = chunksOf(original).filter((chunk) => chunk.type === "IDAT");
        const inflated = inflateSync(Buffer.concat(idat.map((chunk) => chunk.data)));
        const source = replaceImageData(original, deflateSync(inflated, { level: 3, memLevel: 2 }));
        const { encoded, rebuilt } = await storeAndRebuild(source);
        expect(encoded.fidelity).to.equal("contentExact");
        expect(rebuilt.fidelity).to.equal("contentExact");
        expect(sameBytes(rebuilt.bytes, source)).to.equal(false);
        expect(metadataOf(rebuilt.bytes), "IHDR and every other chunk").to.deep.equal(metadataOf(source));
        const [before, after] = await Promise.all([samplesOf(source), samplesOf(rebuilt.bytes)]);
        expect(after.data.equals(before.data)).to.equal(true);
      });
    }
  });

  it("estimates a lost fragment of a 16-bit PNG as an 8-bit PNG, flagged approximate", async () => {
    const source = readPngCorpus("magick-gray16.png");
    const encoded = await encodeImageFile(source, { kernel: KERNEL });
    const files = encoded.fragments.map((f) => (f.index === 4 ? undefined : f.bytes));
    const rebuilt = await rebuildImageFile(encoded.manifest, files);
    expect(rebuilt.fidelity).to.equal("approximate");
    expect(rebuilt.exact).to.equal(false);
    expect(rebuilt.missing).to.deep.equal([4]);
    expect((await decodeImage(rebuilt.bytes)).width).to.equal(200);
  });

  describe("malformed PNGs: one typed error, nothing stored", () => {
    it("refuses a bad CRC in a metadata chunk (tEXt)", async () => {
      const bad = withChunk(readPngCorpus("gimp-style-icc-text.png"), "tEXt", (data) =>
        data.writeUInt8(data.readUInt8(0) ^ 0x20, 0),
      );
      const error = await refusal(encodeImageFile(bad, { kernel: KERNEL }), ImageError);
      expect(error.code).to.equal("IMAGE_CORRUPT");
      expect(error.message).to.match(/CRC of its tEXt chunk .* does not match/);
    });

    it("refuses a 16-bit PNG with a bomb-size header before allocating its pixels", async () => {
      const bomb = withCrcs(
        withChunk(readPngCorpus("magick-rgba16.png"), "IHDR", (data) => {
          data.writeUInt32BE(60_000, 0);
          data.writeUInt32BE(60_000, 4);
        }),
      );
      const before = process.memoryUsage().arrayBuffers;
      const error = await refusal(encodeImageFile(bomb, { kernel: KERNEL }), ImageError);
      expect(error.code).to.equal("IMAGE_TOO_LARGE");
      expect(process.memoryUsage().arrayBuffers - before).to.be.lessThan(16 * 2 ** 20);
    });

    it("counts a 16-bit PNG's samples at their size: 64 MP of 16-bit RGBA is over the 100 MP (RGBA8) limit", async () => {
      const deep = withCrcs(
        withChunk(readPngCorpus("magick-rgba16.png"), "IHDR", (data) => {
          data.writeUInt32BE(8000, 0);
          data.writeUInt32BE(8000, 4);
        }),
      );
      const before = process.memoryUsage().arrayBuffers;
      const error = await refusal(encodeImageFile(deep, { kernel: KERNEL }), ImageError);
      expect(error.code).to.equal("IMAGE_TOO_LARGE");
      expect(error.message).to.match(/16-bit image is 8000 × 8000: 512000000 bytes of samples/);
      expect(process.memoryUsage().arrayBuffers - before).to.be.lessThan(16 * 2 ** 20);
    });

    it("refuses a 16-bit PNG whose header claims more rows than its image data holds", async () => {
      const short = withCrcs(
        withChunk(readPngCorpus("magick-rgb16.png"), "IHDR", (data) => data.writeUInt32BE(400, 4)),
      );
      const error = await refusal(encodeImageFile(short, { kernel: KERNEL }), ImageError);
      expect(error.code).to.equal("IMAGE_CORRUPT");
      expect(error.message).to.match(/holds \d+ of the \d+ bytes its size needs/);
    });

    it("refuses a truncated IDAT, cut in the file or cut in the zlib stream", async () => {
      const source = readPngCorpus("pillow-rgb.png");
      const cut = source.subarray(0, Math.floor(source.length / 2));
      const inFile = await refusal(encodeImageFile(cut, { kernel: KERNEL }), ImageError);
      expect(inFile.code).to.equal("IMAGE_CORRUPT");
      expect(inFile.message).to.match(/runs past the end of the file/);
      const stream = Buffer.concat(
        chunksOf(source)
          .filter((c) => c.type === "IDAT")
          .map((c) => c.data),
      );
      const inStream = await refusal(
        encodeImageFile(replaceImageData(source, stream.subarray(0, stream.length >> 1)), { kernel: KERNEL }),
        ImageError,
      );
      expect(inStream.code).to.equal("IMAGE_CORRUPT");
      expect(inStream.message).to.match(/image data does not inflate|holds \d+ of the/);
    });

    it(`refuses more than ${MAX_PNG_METADATA_BYTES} bytes of metadata, which no manifest can hold`, async () => {
      const big = Buffer.alloc(MAX_PNG_METADATA_BYTES + 1, 0x41);
      const source = insertChunk(
        readPngCorpus("pillow-gray.png"),
        "tEXt",
        Buffer.concat([Buffer.from("Comment\0"), big]),
      );
      const error = await refusal(encodeImageFile(source, { kernel: KERNEL }), ImageError);
      expect(error.code).to.equal("IMAGE_METADATA_TOO_LARGE");
      expect(error.message).to.match(/--codec file/);
    });
  });
});

/** The file with every chunk's CRC recomputed (after an edit). */
function withCrcs(bytes: Uint8Array): Uint8Array {
  return rebuildFile(chunksOf(bytes));
}

/** The file with its image data replaced by one IDAT holding `stream`. */
function replaceImageData(bytes: Uint8Array, stream: Uint8Array): Uint8Array {
  const chunks = chunksOf(bytes);
  const first = chunks.findIndex((chunk) => chunk.type === "IDAT");
  const rest = chunks.filter((chunk, i) => chunk.type !== "IDAT" || i === first);
  return rebuildFile(
    rest.map((chunk) => (chunk.type === "IDAT" ? { type: "IDAT", data: Buffer.from(stream) } : chunk)),
  );
}

/** The file with one more chunk right after IHDR. */
function insertChunk(bytes: Uint8Array, type: string, data: Buffer): Uint8Array {
  const [ihdr, ...rest] = chunksOf(bytes);
  if (ihdr === undefined) throw new Error("no IHDR");
  return rebuildFile([ihdr, { type, data }, ...rest]);
}

function rebuildFile(chunks: readonly { type: string; data: Buffer }[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const { type, data } of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "latin1");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    parts.push(head, data, crc);
  }
  return new Uint8Array(Buffer.concat(parts));
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
