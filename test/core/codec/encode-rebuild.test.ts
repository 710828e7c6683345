import { expect } from "chai";
import { Jimp } from "jimp";

import { merkleValues, pixelHash, sha256Hex, type Kernel } from "@disp/protocol";
import {
  CodecError,
  decodeImage,
  encodeImageFile,
  fileMatchesContentHash,
  parseManifest,
  psnr,
  rebuildImageFile,
  serializeManifest,
  splitImageFile,
} from "@disp/core";

import { fixtureBytes, sameBytes } from "../helpers.js";
import { readCorpus, rebuildAll, refusal, withFragment } from "./helpers.js";

const KERNEL: Kernel = { height: 2, width: 2 };

/** The fixture photo and corpus files from several encoders, samplings, restarts and metadata. */
const JPEGS = [
  "rocket.jpg",
  "cjpeg-420-restart5-q90.jpg",
  "cjpeg-gray-q85.jpg",
  "exiftool-orientation6-422.jpg",
  "jpegtran-restart2-icc-exif.jpg",
  "magick-cmyk-q85.jpg",
] as const;

function jpegBytes(name: string): Uint8Array {
  return name === "rocket.jpg" ? fixtureBytes(name) : readCorpus(name);
}

describe("codec layer: encodeImageFile / rebuildImageFile", function () {
  this.timeout(120_000);

  describe("the jpeg codec", () => {
    for (const name of JPEGS) {
      it(`gives back ${name} byte for byte from its fragments`, async () => {
        const source = jpegBytes(name);
        const encoded = await encodeImageFile(source, { kernel: KERNEL });
        expect(encoded.codec).to.equal("jpeg");
        expect(encoded.fallback).to.equal(undefined);
        expect(encoded.contentHash).to.equal(sha256Hex(source));
        expect(encoded.manifest.contentHash).to.deep.equal({
          algorithm: "sha256",
          digest: sha256Hex(source),
        });
        expect(encoded.sourceBytes).to.equal(source.length);
        expect(encoded.fragments).to.have.length(4);
        for (const fragment of encoded.fragments) {
          expect([...fragment.bytes.subarray(0, 2)]).to.deep.equal([0xff, 0xd8]);
          expect(fragment.sha256).to.equal(sha256Hex(fragment.bytes));
        }
        const manifest = parseManifest(encoded.manifestBytes);
        expect(manifest).to.deep.equal(encoded.manifest);

        const rebuilt = await rebuildAll(manifest, encoded);
        expect(rebuilt.codec).to.equal("jpeg");
        expect(rebuilt.extension).to.equal("jpg");
        expect(rebuilt.exact).to.equal(true);
        expect(rebuilt.contentHashVerified).to.equal(true);
        expect(sameBytes(rebuilt.bytes, source)).to.equal(true);
        expect(rebuilt.missing).to.deep.equal([]);
        expect(rebuilt.rejected).to.deep.equal([]);
        expect(rebuilt.estimatedPixels).to.equal(0);
      });
    }

    it("estimates a missing fragment of rocket.jpg as a PNG within 30 dB of the exact pixels", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL, codec: "jpeg" });
      const exact = await rebuildAll(encoded.manifest, encoded);
      const files = encoded.fragments.map((f) => (f.index === 1 ? undefined : f.bytes));
      const approximate = await rebuildImageFile(encoded.manifest, files);
      expect(approximate.exact).to.equal(false);
      expect(approximate.contentHashVerified).to.equal(false);
      expect(approximate.extension).to.equal("png");
      expect(approximate.missing).to.deep.equal([1]);
      expect(approximate.estimatedPixels).to.be.greaterThan(0);
      const exactPixels = await exact.pixels();
      const approximatePixels = await approximate.pixels();
      expect(psnr(exactPixels, approximatePixels)).to.be.at.least(30);
      // The output file is those pixels.
      const png = await decodeImage(approximate.bytes);
      expect(png.format).to.equal("png");
      expect(pixelHash(png)).to.equal(pixelHash(approximatePixels));
    });

    it("returns approximate pixels turned upright like the exact ones (EXIF orientation 6)", async () => {
      const encoded = await encodeImageFile(readCorpus("exiftool-orientation6-422.jpg"), { kernel: KERNEL });
      const exact = await (await rebuildAll(encoded.manifest, encoded)).pixels();
      const files = encoded.fragments.map((f) => (f.index === 2 ? undefined : f.bytes));
      const approximate = await (await rebuildImageFile(encoded.manifest, files)).pixels();
      expect([exact.width, exact.height]).to.deep.equal([
        encoded.manifest.image.height,
        encoded.manifest.image.width,
      ]);
      expect([approximate.width, approximate.height]).to.deep.equal([exact.width, exact.height]);
      expect(psnr(exact, approximate)).to.be.at.least(20);
    });

    it("rejects a tampered fragment, reports it, and never uses it", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
      const tampered = encoded.fragments.map((f) => f.bytes.slice());
      const victim = tampered[2] as Uint8Array;
      victim[victim.length - 40] = (victim[victim.length - 40] as number) ^ 0x10;
      const result = await rebuildImageFile(encoded.manifest, tampered);
      expect(result.exact).to.equal(false);
      expect(result.missing).to.deep.equal([2]);
      expect(result.rejected).to.deep.equal([{ index: 2, reason: "does not match its CID" }]);
      const absent = await rebuildImageFile(
        encoded.manifest,
        encoded.fragments.map((f) => (f.index === 2 ? undefined : f.bytes)),
      );
      expect(sameBytes(result.bytes, absent.bytes)).to.equal(true);
    });

    it("rejects a registered fragment that is not a JPEG of its slot, and estimates without it", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
      const { manifest, files } = await withFragment(encoded, 0, fixtureBytes("camera.png"));
      const result = await rebuildImageFile(manifest, files);
      expect(result.exact).to.equal(false);
      expect(result.missing).to.deep.equal([0]);
      expect(result.rejected).to.have.length(1);
      expect(result.rejected[0]?.index).to.equal(0);
      expect(result.rejected[0]?.reason).to.match(/^does not fit its slot/);
    });

    it("refuses to rebuild from no usable fragment, naming the rejected ones", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
      const files = [encoded.fragments[1]?.bytes.subarray(1), undefined, undefined, undefined];
      const error = await refusal(rebuildImageFile(encoded.manifest, files), CodecError);
      expect(error.code).to.equal("NO_FRAGMENTS");
      expect(error.rejected.map((r) => r.index)).to.deep.equal([0]);
    });

    it("keeps the Merkle values: one per fragment file and the manifest leaf", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
      const values = merkleValues(encoded.manifest, encoded.manifestBytes);
      expect(values).to.have.length(5);
      expect(values.slice(0, 4).map(([, digest]) => digest)).to.deep.equal(
        encoded.fragments.map((f) => f.sha256),
      );
    });
  });

  describe("auto on a JPEG the coefficient codec cannot take", () => {
    it("refuses to store its pixels at more than 1.3× the file, naming --codec png and --mode replicate", async () => {
      const source = readCorpus("unsupported/cjpeg-non-interleaved.jpg");
      const error = await refusal(encodeImageFile(source, { kernel: KERNEL }));
      expect(error.code).to.equal("CODEC_FALLBACK_TOO_LARGE");
      expect(error.message).to.match(/non-interleaved.*--codec png.*--mode replicate/);
    });

    it("stores its pixels when the png codec is asked for by name, and rebuilds them exactly", async () => {
      const source = readCorpus("unsupported/cjpeg-non-interleaved.jpg");
      const encoded = await encodeImageFile(source, { kernel: KERNEL, codec: "png" });
      expect(encoded.codec).to.equal("png");
      expect(encoded.manifest.codec.name).to.equal("png");
      const rebuilt = await rebuildAll(encoded.manifest, encoded);
      expect(rebuilt.contentHashVerified).to.equal(true);
      expect(pixelHash(await decodeImage(rebuilt.bytes))).to.equal(pixelHash(await decodeImage(source)));
    });

    it("refuses it with a typed error when the jpeg codec is asked for by name", async () => {
      const error = await refusal(
        encodeImageFile(readCorpus("unsupported/cjpeg-arithmetic.jpg"), { kernel: KERNEL, codec: "jpeg" }),
      );
      expect(error.code).to.equal("JPEG_UNSUPPORTED");
    });

    it("refuses a PNG when the jpeg codec is asked for by name", async () => {
      const error = await refusal(
        encodeImageFile(fixtureBytes("coffee.png"), { kernel: KERNEL, codec: "jpeg" }),
      );
      expect(error.code).to.equal("CODEC_INPUT_MISMATCH");
    });
  });

  describe("the png codec", () => {
    for (const name of ["chelsea.png", "camera.png"]) {
      it(`stores ${name} as splitImageFile does and rebuilds its pixels exactly`, async () => {
        const source = fixtureBytes(name);
        const encoded = await encodeImageFile(source, { kernel: { height: 2, width: 3 } });
        expect(encoded.codec).to.equal("png");
        expect(encoded.fallback).to.equal(undefined);
        const reference = await splitImageFile(source, { kernel: { height: 2, width: 3 } });
        expect(sameBytes(encoded.manifestBytes, reference.manifestBytes)).to.equal(true);
        expect(encoded.contentHash).to.equal(pixelHash(reference.image));

        const rebuilt = await rebuildAll(parseManifest(encoded.manifestBytes), encoded);
        expect(rebuilt.codec).to.equal("png");
        expect(rebuilt.extension).to.equal("png");
        expect(rebuilt.exact).to.equal(true);
        expect(rebuilt.contentHashVerified).to.equal(true);
        expect(pixelHash(await decodeImage(rebuilt.bytes))).to.equal(encoded.contentHash);
        expect(pixelHash(await rebuilt.pixels())).to.equal(encoded.contentHash);
      });
    }

    it("takes a JPEG through the pixels when asked for by name", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL, codec: "png" });
      expect(encoded.codec).to.equal("png");
      expect(encoded.fallback).to.equal(undefined);
      expect(encoded.manifest.contentHash.algorithm).to.equal("disp-pixels-sha256");
    });

    it("refuses to rebuild from no usable fragment", async () => {
      const encoded = await encodeImageFile(fixtureBytes("coffee.png"), { kernel: KERNEL });
      const error = await refusal(rebuildImageFile(encoded.manifest, []), CodecError);
      expect(error.code).to.equal("NO_FRAGMENTS");
    });
  });

  describe("the file codec", () => {
    for (const [name, extension] of [
      ["rocket.jpg", "jpg"],
      ["chelsea.png", "png"],
    ] as const) {
      it(`replicates ${name} whole, as one fragment, and gives it back byte for byte`, async () => {
        const source = fixtureBytes(name);
        const encoded = await encodeImageFile(source, { kernel: KERNEL, codec: "file" });
        expect(encoded.codec).to.equal("file");
        expect(encoded.manifest.kernel).to.deep.equal({ height: 1, width: 1 });
        expect(encoded.manifest.codec).to.deep.equal({
          name: "file",
          format: name.endsWith(".jpg") ? "jpeg" : "png",
        });
        expect(encoded.fragments).to.have.length(1);
        expect(sameBytes(encoded.fragments[0]?.bytes ?? new Uint8Array(), source)).to.equal(true);
        expect(encoded.contentHash).to.equal(sha256Hex(source));
        expect(
          sameBytes(serializeManifest(parseManifest(encoded.manifestBytes)), encoded.manifestBytes),
        ).to.equal(true);

        const rebuilt = await rebuildAll(encoded.manifest, encoded);
        expect(rebuilt.extension).to.equal(extension);
        expect(rebuilt.exact).to.equal(true);
        expect(rebuilt.contentHashVerified).to.equal(true);
        expect(sameBytes(rebuilt.bytes, source)).to.equal(true);
        expect(pixelHash(await rebuilt.pixels())).to.equal(pixelHash(await decodeImage(source)));
      });
    }

    it("keeps an image over the pixel limit (it decodes nothing) and refuses one over its byte limit", async () => {
      const source = fixtureBytes("rocket.jpg");
      const kept = await encodeImageFile(source, { kernel: KERNEL, codec: "file", maxPixels: 1000 });
      expect(kept.manifest.image).to.include({ width: 640, height: 427 });
      const rebuilt = await rebuildImageFile(kept.manifest, [source], { maxPixels: 1000 });
      expect(sameBytes(rebuilt.bytes, source)).to.equal(true);
      expect((await refusal(rebuilt.pixels())).code).to.equal("IMAGE_TOO_LARGE");
      const large = encodeImageFile(source, {
        kernel: KERNEL,
        codec: "file",
        maxFileBytes: source.length - 1,
      });
      expect((await refusal(large, CodecError)).code).to.equal("FILE_TOO_LARGE");
      const empty = encodeImageFile(new Uint8Array(), { kernel: KERNEL, codec: "file" });
      expect((await refusal(empty, CodecError)).code).to.equal("FILE_EMPTY");
    });

    it("has nothing to estimate from when its one fragment is missing or tampered", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL, codec: "file" });
      const missing = await refusal(rebuildImageFile(encoded.manifest, [undefined]), CodecError);
      expect(missing.code).to.equal("NO_FRAGMENTS");
      expect(missing.rejected).to.deep.equal([]);
      const tampered = encoded.fragments[0]?.bytes.slice() ?? new Uint8Array();
      tampered[500] = (tampered[500] as number) ^ 1;
      const rejected = await refusal(rebuildImageFile(encoded.manifest, [tampered]), CodecError);
      expect(rejected.rejected).to.deep.equal([{ index: 0, reason: "does not match its CID" }]);
    });
  });

  describe("fileMatchesContentHash", () => {
    it("proves the original file of a JPEG-codec image, and refuses the file with one byte changed", async () => {
      const file = fixtureBytes("rocket.jpg");
      const { manifest, codec } = await encodeImageFile(file, { kernel: KERNEL });
      expect(codec).to.equal("jpeg");
      expect(await fileMatchesContentHash(manifest, file)).to.equal(true);
      const changed = file.slice();
      changed[changed.length - 3] = (changed[changed.length - 3] as number) ^ 1;
      expect(await fileMatchesContentHash(manifest, changed)).to.equal(false);
    });

    it("proves a pixel-codec image by its pixels, whatever file holds them", async () => {
      const file = fixtureBytes("chelsea.png");
      const { manifest } = await encodeImageFile(file, { kernel: KERNEL, codec: "png" });
      expect(manifest.contentHash.algorithm).to.not.equal("sha256");
      expect(await fileMatchesContentHash(manifest, file)).to.equal(true);
      const image = await decodeImage(file);
      const sameAsBmp = await Jimp.fromBitmap({ ...image, data: Buffer.from(image.data) }).getBuffer(
        "image/bmp",
      );
      expect(await fileMatchesContentHash(manifest, sameAsBmp)).to.equal(true);
      expect(await fileMatchesContentHash(manifest, fixtureBytes("coffee.png"))).to.equal(false);
    });
  });
});
