import { expect } from "chai";

import { isDispError } from "@disp/protocol";
import {
  inspectJpeg,
  JpegUnsupportedError,
  mergeJpeg,
  parseJpegLayout,
  recoverJpeg,
  splitJpeg,
} from "@disp/core";

import { analyseJpeg, encodeTables } from "../../../packages/core/src/jpeg/analyse.js";
import { encodeScan } from "../../../packages/core/src/jpeg/encode.js";
import {
  jimpDecode,
  jimpEncode,
  readFixture,
  sha256,
  syntheticBitmap,
  unsupportedJpegs,
  caught,
  corpusFile,
} from "./helpers.js";

/** Offset of the first marker `code` (FF code) in the header. */
function markerOffset(bytes: Uint8Array, code: number): number {
  for (let i = 2; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === code) return i;
  throw new Error(`no marker ${code.toString(16)}`);
}

/** Rewrites the file's DHT segments so that DC table 0 gains a 16-bit code for symbol 0. */
function withSecondDcCode(original: Uint8Array): Uint8Array {
  const parts: number[] = [0xff, 0xd8];
  let pos = 2;
  while (original[pos + 1] !== 0xda) {
    const end = pos + 2 + (((original[pos + 2] ?? 0) << 8) | (original[pos + 3] ?? 0));
    if (original[pos + 1] !== 0xc4) {
      parts.push(...original.subarray(pos, end));
    } else {
      const payload: number[] = [];
      let at = pos + 4;
      while (at < end) {
        const counts = Array.from(original.subarray(at + 1, at + 17));
        const total = counts.reduce((sum, n) => sum + n, 0);
        const symbols = Array.from(original.subarray(at + 17, at + 17 + total));
        if (original[at] === 0x00) {
          counts[15] = (counts[15] ?? 0) + 1;
          symbols.push(0);
        }
        payload.push(original[at] ?? 0, ...counts, ...symbols);
        at += 17 + total;
      }
      parts.push(0xff, 0xc4, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload);
    }
    pos = end;
  }
  const out = new Uint8Array(parts.length + original.length - pos);
  out.set(parts);
  out.set(original.subarray(pos), parts.length);
  return out;
}

function expectUnsupported(bytes: Uint8Array, reason: RegExp, code = "JPEG_UNSUPPORTED"): void {
  const inspection = inspectJpeg(bytes);
  expect(inspection.supported).to.equal(false);
  if (inspection.supported) return;
  expect(inspection.code).to.equal(code);
  expect(inspection.reason).to.match(reason);
  const error = caught(() => splitJpeg(bytes, { height: 2, width: 2 }));
  expect(isDispError(error, code), String(error)).to.equal(true);
}

describe("JPEG coefficient codec: what it refuses", function () {
  describe("with JPEG kinds it cannot rebuild byte for byte", function () {
    const reasons: Record<string, RegExp> = {
      "cjpeg-arithmetic.jpg": /arithmetic/,
      "cjpeg-non-interleaved.jpg": /non-interleaved/,
    };
    for (const { name, bytes } of unsupportedJpegs()) {
      it(`reports ${name} unsupported with its reason`, function () {
        expectUnsupported(bytes, reasons[name] ?? /never/);
        expect(caught(() => splitJpeg(bytes, { height: 2, width: 2 }))).to.be.instanceOf(
          JpegUnsupportedError,
        );
      });
    }

    it("reports 12-bit precision", function () {
      const bytes = readFixture("rocket.jpg");
      bytes[markerOffset(bytes, 0xc0) + 4] = 12;
      expectUnsupported(bytes, /12-bit/);
    });

    it("reports lossless (SOF3) frames", function () {
      const bytes = readFixture("rocket.jpg");
      bytes[markerOffset(bytes, 0xc0) + 1] = 0xc3;
      expectUnsupported(bytes, /lossless/);
    });

    it("reports a fill byte before a restart marker (stuffing our encoder does not write)", function () {
      const original = corpusFile("cjpeg-420-restart5-q90.jpg");
      const sos = markerOffset(original, 0xda);
      let rst = sos;
      while (!(
        original[rst] === 0xff &&
        (original[rst + 1] ?? 0) >= 0xd0 &&
        (original[rst + 1] ?? 0) <= 0xd7
      ))
        rst++;
      const bytes = new Uint8Array(original.length + 1);
      bytes.set(original.subarray(0, rst));
      bytes[rst] = 0xff;
      bytes.set(original.subarray(rst), rst + 1);
      expectUnsupported(bytes, /restart markers/);
    });

    it("reports entropy coding that re-encodes differently (a symbol with two codes)", async function () {
      // Give DC category 0 of table 0 a second, 16-bit code the file never uses: decoding is
      // unchanged, but an encoder cannot tell which code the original used, and ours picks the new one.
      const original = corpusFile("cjpeg-420-q50.jpg");
      const bytes = withSecondDcCode(original);
      expect(
        Buffer.from((await jimpDecode(bytes)).data).equals(Buffer.from((await jimpDecode(original)).data)),
      ).to.equal(true);
      expectUnsupported(bytes, /re-encoding the entropy-coded data differs/);
    });

    it("reports bytes between the last MCU and EOI", function () {
      const original = readFixture("rocket.jpg");
      const eoi = original.length - 2;
      const bytes = new Uint8Array(original.length + 2);
      bytes.set(original.subarray(0, eoi));
      bytes.set(Uint8Array.of(0x12, 0x34, 0xff, 0xd9), eoi);
      expectUnsupported(bytes, /unexpected bytes/);
    });
  });

  describe("with files that are not JPEGs or are broken", function () {
    it("reports bytes without SOI as an invalid JPEG", function () {
      expectUnsupported(readFixture("rocket.jpg").subarray(2), /SOI/, "JPEG_INVALID");
    });

    it("reports a truncated file", function () {
      const bytes = readFixture("rocket.jpg");
      expectUnsupported(bytes.subarray(0, bytes.length >> 1), /truncated|ends/, "JPEG_INVALID");
    });
  });

  describe("with padding other than libjpeg's", function () {
    it("rebuilds zero padding bits byte for byte", function () {
      const original = corpusFile("cjpeg-420-restart5-q90.jpg");
      const jpeg = analyseJpeg(original);
      const tables = encodeTables(jpeg.parsed);
      const scan = encodeScan(jpeg.grid, jpeg.geometry, tables.dc, tables.ac, jpeg.parsed.restartInterval, {
        bit: 0,
        fullByte: false,
      });
      const trailer = original.subarray(jpeg.scanEnd);
      const bytes = new Uint8Array(jpeg.parsed.dataOffset + scan.length + trailer.length);
      bytes.set(original.subarray(0, jpeg.parsed.dataOffset));
      bytes.set(scan, jpeg.parsed.dataOffset);
      bytes.set(trailer, jpeg.parsed.dataOffset + scan.length);
      expect(sha256(bytes)).to.not.equal(sha256(original));
      const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });
      expect(layout.padBit).to.equal(0);
      expect(sha256(mergeJpeg(fragments, layout))).to.equal(sha256(bytes));
    });

    it("rebuilds jpeg-js's whole padding byte after byte-aligned data", async function () {
      // This 2x3 image at quality 50 happens to end on a byte boundary: jpeg-js still pads a byte.
      const bytes = await jimpEncode(syntheticBitmap(2, 3, 7), 50);
      const { fragments, layout } = splitJpeg(bytes, { height: 1, width: 1 });
      expect(layout.padFullByte).to.equal(true);
      expect(sha256(mergeJpeg(fragments, layout))).to.equal(sha256(bytes));
    });
  });

  describe("with an image larger than the caller's limit", function () {
    it("refuses it from the header in split, inspect, merge and recovery", function () {
      const bytes = readFixture("rocket.jpg");
      const limits = { maxPixels: 640 * 427 - 1 };
      const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });
      for (const run of [
        () => splitJpeg(bytes, { height: 2, width: 2 }, limits),
        () => inspectJpeg(bytes, limits),
        () => mergeJpeg(fragments, layout, limits),
        () => recoverJpeg(fragments, layout, limits),
      ]) {
        expect(isDispError(caught(run), "JPEG_TOO_LARGE")).to.equal(true);
      }
      expect(inspectJpeg(bytes, { maxPixels: 640 * 427 }).supported).to.equal(true);
    });
  });

  describe("with a bad layout record or bad fragments", function () {
    const bytes = readFixture("rocket.jpg");
    const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });

    it("rejects records of the wrong shape", function () {
      for (const bad of [
        null,
        {},
        { ...layout, schema: "other" },
        { ...layout, padBit: 2 },
        { ...layout, kernel: 3 },
      ]) {
        expect(
          isDispError(
            caught(() => parseJpegLayout(bad)),
            "JPEG_LAYOUT_INVALID",
          ),
        ).to.equal(true);
      }
    });

    it("rejects a record whose numbers disagree with its header", function () {
      const error = caught(() => mergeJpeg(fragments, { ...layout, width: layout.width + 1 }));
      expect(isDispError(error, "JPEG_LAYOUT_INVALID")).to.equal(true);
    });

    it("rejects a record whose header is not a JPEG header", function () {
      const error = caught(() => mergeJpeg(fragments, { ...layout, header: "AAAA" }));
      expect(isDispError(error, "JPEG_LAYOUT_INVALID")).to.equal(true);
    });

    it("rejects the wrong number of fragments", function () {
      const error = caught(() => mergeJpeg(fragments.slice(1), layout));
      expect(isDispError(error, "JPEG_LAYOUT_INVALID")).to.equal(true);
    });

    it("rejects a fragment of the wrong size", function () {
      const other = splitJpeg(bytes, { height: 3, width: 2 }).fragments[0] as Uint8Array;
      const error = caught(() => mergeJpeg([other, ...fragments.slice(1)], layout));
      expect(isDispError(error, "JPEG_FRAGMENT_MISMATCH")).to.equal(true);
      expect(error).to.have.property("index", 0);
    });

    it("rejects a fragment that is not a JPEG", function () {
      const error = caught(() =>
        mergeJpeg([fragments[0] as Uint8Array, Uint8Array.of(1, 2, 3), ...fragments.slice(2)], layout),
      );
      expect(isDispError(error, "JPEG_FRAGMENT_MISMATCH")).to.equal(true);
      expect(error).to.have.property("index", 1);
    });

    /** The fragment with its entropy-coded data changed at the end: `cut` bytes fewer, `extra` zero bytes more. */
    function withScanEnd(index: number, change: { cut?: number; extra?: number }): Uint8Array[] {
      const fragment = fragments[index] as Uint8Array;
      const scanEnd = fragment.length - 2; // before EOI
      const changed = Uint8Array.from([
        ...fragment.subarray(0, scanEnd - (change.cut ?? 0)),
        ...new Uint8Array(change.extra ?? 0),
        0xff,
        0xd9,
      ]);
      return fragments.map((f, i) => (i === index ? changed : f));
    }

    for (const index of [0, 3]) {
      it(`names fragment ${index} when its scan is cut short`, function () {
        const error = caught(() => mergeJpeg(withScanEnd(index, { cut: 64 }), layout));
        expect(isDispError(error, "JPEG_FRAGMENT_MISMATCH"), String(error)).to.equal(true);
        expect(error).to.have.property("index", index);
      });

      it(`names fragment ${index} when bytes follow its last MCU`, function () {
        const error = caught(() => mergeJpeg(withScanEnd(index, { extra: 16 }), layout));
        expect(isDispError(error, "JPEG_FRAGMENT_MISMATCH"), String(error)).to.equal(true);
        expect(error).to.have.property("index", index);
        expect(String(error)).to.match(/unexpected bytes after the last MCU/);
      });
    }

    it("names a fragment that does not decode rather than say the others are not from this image", function () {
      const swapped = [fragments[1], fragments[0], fragments[2], fragments[3]] as Uint8Array[];
      const notOurs = caught(() => mergeJpeg(swapped, layout));
      expect(String(notOurs)).to.match(/not from this image/);
      expect(notOurs).to.have.property("index", undefined);
      const withCut = withScanEnd(3, { cut: 64 });
      const error = caught(() =>
        mergeJpeg([swapped[0], swapped[1], swapped[2], withCut[3]] as Uint8Array[], layout),
      );
      expect(isDispError(error, "JPEG_FRAGMENT_MISMATCH"), String(error)).to.equal(true);
      expect(error).to.have.property("index", 3);
    });

    it("never gives back the original from swapped fragments", function () {
      const swapped = [fragments[1], fragments[0], fragments[2], fragments[3]] as Uint8Array[];
      const error = caught(() => {
        expect(sha256(mergeJpeg(swapped, layout))).to.not.equal(sha256(bytes));
      });
      if (error !== undefined)
        expect(isDispError(error, "JPEG_FRAGMENT_MISMATCH"), String(error)).to.equal(true);
    });
  });
});
