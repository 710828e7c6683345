import { expect } from "chai";
import sharp from "sharp";

import { isDispError } from "@disp/protocol";
import {
  decodeImage,
  encodeImageFile,
  fileMatchesContentHash,
  inspectJpeg,
  mergeJpeg,
  psnr as imagePsnr,
  rebuildImageFile,
  recoverJpeg,
  splitJpeg,
} from "@disp/core";

import { analyseProgressive } from "../../../packages/core/src/jpeg/progressive/index.js";
import { entropyEnd } from "../../../packages/core/src/jpeg/progressive/scans.js";
import { parseJpegHeader } from "../../../packages/core/src/jpeg/parse.js";
import { caught, corpusFile, jimpDecode, psnr, readFixture, supportedJpegs } from "./helpers.js";

const KERNEL = { height: 2, width: 2 };

/** The corpus files written progressive (SOF2) by cjpeg, jpegtran and ImageMagick. */
function progressiveJpegs() {
  return supportedJpegs().filter(({ bytes }) => parseJpegHeader(bytes).sofMarker === 0xc2);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** Offset where the first scan's entropy-coded data ends (the marker that follows it). */
function firstScanEnd(bytes: Uint8Array): number {
  return entropyEnd(bytes, parseJpegHeader(bytes).dataOffset);
}

function spliced(bytes: Uint8Array, at: number, remove: number, insert: readonly number[]): Uint8Array {
  return Uint8Array.from([...bytes.subarray(0, at), ...insert, ...bytes.subarray(at + remove)]);
}

/** The file with a 0xFF fill byte before the marker after its first scan: legal (T.81 B.1.1.2), and not ours to write. */
function withFillByte(bytes: Uint8Array): Uint8Array {
  return spliced(bytes, firstScanEnd(bytes), 0, [0xff]);
}

describe("JPEG coefficient codec: progressive JPEGs", function () {
  this.timeout(120_000);

  it("has progressive files from several encoders and scripts in the corpus", function () {
    expect(progressiveJpegs().map((f) => f.name)).to.include.members([
      "cjpeg-progressive-420-q80.jpg",
      "cjpeg-progressive-gray-q90.jpg",
      "jpegtran-progressive-420.jpg",
      "jpegtran-scans-custom-444.jpg",
      "jpegtran-scans-custom-restart4-420.jpg",
      "magick-progressive-422-q70.jpg",
    ]);
  });

  for (const { name, bytes } of progressiveJpegs()) {
    describe(`on ${name}`, function () {
      it("is reported progressive and rebuilt byte for byte, proven at split", function () {
        const inspection = inspectJpeg(bytes);
        if (!inspection.supported) throw new Error(inspection.reason);
        expect(inspection.info.frame).to.equal("progressive");
        expect(inspection.info.fidelity).to.equal("fileExact");
        const { fragments, layout } = splitJpeg(bytes, KERNEL);
        expect(layout.progressive?.fidelity).to.equal("fileExact");
        expect(Buffer.from(mergeJpeg(fragments, layout)).equals(Buffer.from(bytes))).to.equal(true);
      });

      it("stores fragments within 1.3x of the file besides their own headers, each a sequential JPEG", function () {
        const { fragments } = splitJpeg(bytes, KERNEL);
        // A fragment's DQT, SOF, DHT and SOS are a fixed cost that weighs on small files only.
        const scans = fragments.reduce((sum, f) => sum + f.length - parseJpegHeader(f).dataOffset, 0);
        expect(scans / bytes.length).to.be.at.most(1.3);
        const sof = name.includes("16bit") ? 0xc1 : 0xc0;
        for (const fragment of fragments) expect(parseJpegHeader(fragment).sofMarker).to.equal(sof);
      });
    });
  }

  describe("from sharp (libvips with mozjpeg's scan optimisation)", function () {
    for (const options of [
      { progressive: true },
      { progressive: true, mozjpeg: true },
      { progressive: true, optimiseScans: true, chromaSubsampling: "4:4:4", quality: 60 },
    ]) {
      it(`rebuilds ${JSON.stringify(options)} byte for byte`, async function () {
        const bytes = new Uint8Array(await sharp(readFixture("chelsea.png")).jpeg(options).toBuffer());
        expect(parseJpegHeader(bytes).sofMarker).to.equal(0xc2);
        const { fragments, layout } = splitJpeg(bytes, KERNEL);
        expect(layout.progressive?.fidelity).to.equal("fileExact");
        expect(same(mergeJpeg(fragments, layout), bytes)).to.equal(true);
      });
    }
  });

  describe('with "auto" at the codec layer', function () {
    const source = corpusFile("jpegtran-progressive-icc-exif.jpg");

    it("picks the jpeg codec and gives the file back byte for byte", async function () {
      const encoded = await encodeImageFile(source, { kernel: KERNEL });
      expect(encoded.codec).to.equal("jpeg");
      expect(encoded.fallback).to.equal(undefined);
      expect(encoded.fidelity).to.equal("fileExact");
      const rebuilt = await rebuildImageFile(
        encoded.manifest,
        encoded.fragments.map((f) => f.bytes),
      );
      expect(rebuilt.fidelity).to.equal("fileExact");
      expect(rebuilt.contentHashVerified).to.equal(true);
      expect(same(rebuilt.bytes, source)).to.equal(true);
    });

    it("estimates a lost fragment as an approximate PNG close to the original", async function () {
      const encoded = await encodeImageFile(source, { kernel: KERNEL });
      const files = encoded.fragments.map((f) => (f.index === 2 ? undefined : f.bytes));
      const rebuilt = await rebuildImageFile(encoded.manifest, files);
      expect(rebuilt.fidelity).to.equal("approximate");
      expect(rebuilt.extension).to.equal("png");
      expect(rebuilt.missing).to.deep.equal([2]);
      expect(rebuilt.estimatedPixels).to.be.greaterThan(0);
      const original = await decodeImage(source);
      expect(imagePsnr(await rebuilt.pixels(), original)).to.be.greaterThan(25);
    });
  });

  describe("recovery from baseline fragments of a progressive file", function () {
    it("gives jimp's decode of the original when every fragment is there, an estimate otherwise", async function () {
      const bytes = corpusFile("jpegtran-scans-custom-444.jpg");
      const { fragments, layout } = splitJpeg(bytes, KERNEL);
      const whole = await jimpDecode(bytes);
      expect(psnr(recoverJpeg(fragments, layout).rgba, whole.data)).to.equal(Infinity);
      const partial = recoverJpeg([fragments[0], undefined, fragments[2], fragments[3]], layout);
      expect(partial.approximate).to.equal(true);
      expect(psnr(partial.rgba, whole.data)).to.be.greaterThan(25);
    });
  });

  describe("with a file its encoder wrote in a way ours does not (a fill byte before a marker)", function () {
    const original = corpusFile("cjpeg-progressive-420-q80.jpg");
    const quirky = withFillByte(original);

    it("rebuilds a coefficient-exact file and says contentExact", async function () {
      const { fragments, layout } = splitJpeg(quirky, KERNEL);
      expect(layout.progressive?.fidelity).to.equal("contentExact");
      const rebuilt = mergeJpeg(fragments, layout);
      expect(same(rebuilt, quirky)).to.equal(false);
      const a = analyseProgressive(quirky, parseJpegHeader(quirky));
      const b = analyseProgressive(rebuilt, parseJpegHeader(rebuilt));
      expect(Buffer.from(a.grid.coef.buffer).equals(Buffer.from(b.grid.coef.buffer))).to.equal(true);
      expect(b.fidelity).to.equal("fileExact");
      expect(psnr((await jimpDecode(rebuilt)).data, (await jimpDecode(quirky)).data)).to.equal(Infinity);
    });

    it("says contentExact at store and at rebuild, and the original still verifies", async function () {
      const encoded = await encodeImageFile(quirky, { kernel: KERNEL });
      expect(encoded.codec).to.equal("jpeg");
      expect(encoded.fidelity).to.equal("contentExact");
      const stored = encoded.fragments.reduce((sum, f) => sum + f.bytes.length, 0);
      expect(stored / quirky.length).to.be.at.most(1.3);
      const rebuilt = await rebuildImageFile(
        encoded.manifest,
        encoded.fragments.map((f) => f.bytes),
      );
      expect(rebuilt.fidelity).to.equal("contentExact");
      expect(rebuilt.extension).to.equal("jpg");
      expect(rebuilt.contentHashVerified).to.equal(true);
      expect(rebuilt.bytes.length).to.equal(quirky.length - 1);
      expect(await fileMatchesContentHash(encoded.manifest, quirky)).to.equal(true);
    });
  });

  describe("with malformed files: one typed error, from split and from auto", function () {
    const bytes = corpusFile("cjpeg-progressive-420-q80.jpg");

    async function expectRefused(bad: Uint8Array, code: string, message: RegExp): Promise<void> {
      const error = caught(() => splitJpeg(bad, KERNEL));
      expect(isDispError(error, code), String(error)).to.equal(true);
      expect(String(error)).to.match(message);
      const auto = await rejection(encodeImageFile(bad, { kernel: KERNEL }));
      expect(isDispError(auto), String(auto)).to.equal(true);
      expect((auto as { code: string }).code).to.be.oneOf([code, "IMAGE_TOO_LARGE"]);
    }

    it("refuses a file cut short inside a scan", async function () {
      await expectRefused(bytes.subarray(0, Math.floor(bytes.length * 0.6)), "JPEG_INVALID", /truncated/);
    });

    it("refuses a scan cut short before the next marker", async function () {
      const end = firstScanEnd(bytes);
      await expectRefused(spliced(bytes, end - 40, 40, []), "JPEG_INVALID", /ends inside a block/);
    });

    it("refuses a bad marker between two scans", async function () {
      const bad = Uint8Array.from(bytes);
      bad[firstScanEnd(bytes) + 1] = 0x02;
      await expectRefused(bad, "JPEG_INVALID", /marker 0xff2 between two scans/);
    });

    it("refuses a refinement scan before its first scan", async function () {
      const bad = Uint8Array.from(bytes);
      const parsed = parseJpegHeader(bytes);
      bad[parsed.dataOffset - 1] = 0x10; // the first (DC) scan's Ah=1, Al=0
      await expectRefused(bad, "JPEG_INVALID", /refines coefficient 0 before its first scan/);
    });

    it("refuses a header declaring a bomb size before allocating", async function () {
      const bad = Uint8Array.from(bytes);
      let sof = 2;
      while (!(bad[sof] === 0xff && bad[sof + 1] === 0xc2)) sof++;
      bad.set([0xea, 0x60, 0xea, 0x60], sof + 5); // 60000 x 60000
      await expectRefused(bad, "JPEG_TOO_LARGE", /60000x60000/);
    });

    it("refuses more scans than its limit", async function () {
      // The first scan, then 100 more SOS segments with a byte of data each: refused while cutting.
      const parsed = parseJpegHeader(bytes);
      const end = firstScanEnd(bytes);
      const sos = bytes.subarray(parsed.sosOffset, parsed.dataOffset);
      const more = Array.from({ length: 100 }, () => [...sos, 0x00]).flat();
      const bad = Uint8Array.from([...bytes.subarray(0, end), ...more, 0xff, 0xd9]);
      await expectRefused(bad, "JPEG_TOO_MANY_SCANS", /limit of 100/);
    });
  });
});
