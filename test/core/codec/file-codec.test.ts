import { crc32, deflateSync } from "node:zlib";

import { expect } from "chai";

import { sha256Hex, type Kernel } from "@disp/protocol";
import {
  chooseColorType,
  CodecError,
  decodeImage,
  encodePng,
  encodeImageFile,
  extensionFits,
  FILE_KINDS,
  fileFidelity,
  ImageError,
  parseManifest,
  rebuildImageFile,
  serializeManifest,
  sniffFileFormat,
  type FileFormat,
} from "@disp/core";

import { fixtureBytes, sameBytes } from "../helpers.js";
import { refusal } from "./helpers.js";

const KERNEL: Kernel = { height: 2, width: 2 };
const ascii = (text: string) => new TextEncoder().encode(text);

/** Files DISP does not decode, each from its format's own encoder (scripts/make-any-file-fixtures.sh). */
const ANY_FILES: readonly { name: string; format: FileFormat; mediaType: string }[] = [
  { name: "chelsea.webp", format: "webp", mediaType: "image/webp" },
  { name: "chelsea.avif", format: "avif", mediaType: "image/avif" },
  { name: "chelsea.pdf", format: "pdf", mediaType: "application/pdf" },
  { name: "camera.svg", format: "svg", mediaType: "image/svg+xml" },
];

describe("the file codec on any file", function () {
  this.timeout(60_000);

  for (const { name, format, mediaType } of ANY_FILES) {
    describe(`on a real ${format.toUpperCase()} file (${name})`, () => {
      const source = fixtureBytes(`any-file/${name}`);

      it("keeps it as one fragment, records its format, and gives it back byte for byte", async () => {
        const encoded = await encodeImageFile(source, { kernel: KERNEL, codec: "file" });
        expect(encoded.manifest.codec).to.deep.equal({ name: "file", format });
        expect(FILE_KINDS[format].mediaType).to.equal(mediaType);
        // The codec never decodes: no size is recorded for a format DISP does not read.
        expect(encoded.manifest.image).to.include({ width: 1, height: 1 });
        expect(encoded.fidelity).to.equal("fileExact");
        expect(sameBytes(encoded.fragments[0]?.bytes ?? new Uint8Array(), source)).to.equal(true);
        expect(encoded.contentHash).to.equal(sha256Hex(source));
        const reread = parseManifest(encoded.manifestBytes);
        expect(sameBytes(serializeManifest(reread), encoded.manifestBytes)).to.equal(true);

        const rebuilt = await rebuildImageFile(reread, [source]);
        expect(rebuilt).to.include({ extension: FILE_KINDS[format].extension, fidelity: "fileExact" });
        expect(rebuilt.contentHashVerified).to.equal(true);
        expect(sameBytes(rebuilt.bytes, source)).to.equal(true);
        expect(await fileFidelity(reread, source)).to.equal("fileExact");
        const error = await refusal(rebuilt.pixels(), ImageError);
        expect(error.code).to.equal("IMAGE_UNSUPPORTED");
        expect(error.message).to.include(mediaType).and.include("does not decode it");
      });

      it("is refused by the pooling codecs, in a message that names --mode replicate", async () => {
        for (const codec of ["auto", "png", "jpeg"] as const) {
          const error = await refusal(encodeImageFile(source, { kernel: KERNEL, codec }), ImageError);
          expect(error.code).to.equal("IMAGE_UNSUPPORTED");
          expect(error.message).to.include(FILE_KINDS[format].name).and.include("--mode replicate");
        }
      });
    });
  }

  it("keeps a file of no known format as bin, and pooling refuses it naming --mode replicate", async () => {
    const notes = ascii("field notes, 4 December: not an image at all\n");
    const encoded = await encodeImageFile(notes, { kernel: KERNEL, codec: "file" });
    expect(encoded.manifest.codec).to.deep.equal({ name: "file", format: "bin" });
    const rebuilt = await rebuildImageFile(encoded.manifest, [notes]);
    expect(rebuilt.extension).to.equal("bin");
    expect(sameBytes(rebuilt.bytes, notes)).to.equal(true);
    const error = await refusal(encodeImageFile(notes, { kernel: KERNEL }), ImageError);
    expect(error.code).to.equal("IMAGE_UNKNOWN_FORMAT");
    expect(error.message).to.include("--mode replicate");
  });

  it("records the header's size for an image DISP reads, and keeps one whose header is damaged", async () => {
    const png = fixtureBytes("chelsea.png");
    const whole = await encodeImageFile(png, { kernel: KERNEL, codec: "file" });
    expect(whole.manifest.codec).to.deep.equal({ name: "file", format: "png" });
    expect(whole.manifest.image).to.include({ width: 451, height: 300 });
    const damaged = png.slice(0, 20); // the signature, and a header cut short
    const kept = await encodeImageFile(damaged, { kernel: KERNEL, codec: "file" });
    expect(kept.manifest.image).to.include({ width: 1, height: 1 });
    const rebuilt = await rebuildImageFile(kept.manifest, [damaged]);
    expect(sameBytes(rebuilt.bytes, damaged)).to.equal(true);
    expect((await refusal(rebuilt.pixels(), ImageError)).code).to.equal("IMAGE_CORRUPT");
  });

  it("refuses an empty file and one over its byte limit, with their own codes", async () => {
    const webp = fixtureBytes("any-file/chelsea.webp");
    const tooLarge = encodeImageFile(webp, { kernel: KERNEL, codec: "file", maxFileBytes: 3000 });
    const error = await refusal(tooLarge, CodecError);
    expect(error.code).to.equal("FILE_TOO_LARGE");
    expect(error.message).to.include(`${webp.length} bytes`).and.include("3000");
    const empty = await refusal(
      encodeImageFile(new Uint8Array(), { kernel: KERNEL, codec: "file" }),
      CodecError,
    );
    expect(empty.code).to.equal("FILE_EMPTY");
  });
});

describe("fileFidelity", () => {
  it("says fileExact for the stored file, contentExact for another file with a pixel codec's pixels", async () => {
    const jpeg = fixtureBytes("rocket.jpg");
    const { manifest: jpegManifest } = await encodeImageFile(jpeg, { kernel: KERNEL, codec: "jpeg" });
    expect(await fileFidelity(jpegManifest, jpeg)).to.equal("fileExact");
    const png = fixtureBytes("chelsea.png");
    const { manifest: pngManifest } = await encodeImageFile(png, { kernel: KERNEL, codec: "png" });
    expect(await fileFidelity(pngManifest, png)).to.equal("fileExact");
    const pixels = await decodeImage(png);
    const reencoded = await encodePng(pixels, {
      colorType: chooseColorType(pixels),
      filter: "up",
      deflateLevel: 1,
    });
    expect(await fileFidelity(pngManifest, reencoded)).to.equal("contentExact");
    expect(await fileFidelity(pngManifest, jpeg)).to.equal(undefined);
    // A file with no pixels is simply not that content.
    expect(await fileFidelity(pngManifest, fixtureBytes("any-file/chelsea.pdf"))).to.equal(undefined);
  });
});

/** A 2×2 16-bit greyscale PNG of `samples`, rows unfiltered. */
function gray16Png(samples: readonly number[]): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([16, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(2 * (1 + 4));
  for (const [i, sample] of samples.entries()) rows.writeUInt16BE(sample, 1 + (i >> 1) * 5 + (i % 2) * 2);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      signature,
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(rows)),
      chunk("IEND", new Uint8Array()),
    ]),
  );
}

describe("fileFidelity of a 16-bit PNG", () => {
  it("proves the stored file only: another file with the same high bytes is not proven its content", async () => {
    const stored = gray16Png([0x1234, 0x5678, 0x9abc, 0xdef0]);
    const { manifest } = await encodeImageFile(stored, { kernel: KERNEL, codec: "png" });
    expect(await fileFidelity(manifest, stored)).to.equal("fileExact");
    const lowBytesChanged = gray16Png([0x1235, 0x5678, 0x9abc, 0xdef0]);
    expect(await fileFidelity(manifest, lowBytesChanged)).to.equal(undefined);
  });
});

describe("sniffFileFormat", () => {
  const bytes = (...values: number[]) => new Uint8Array(values);
  const tiff = (tags: number[], extra: number[] = []) => {
    // Little-endian TIFF: header, `extra`, then a directory of `tags` (12-byte entries, values unused).
    const entries = tags.flatMap((tag) => [tag & 0xff, tag >> 8, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    return bytes(0x49, 0x49, 0x2a, 0, 8 + extra.length, 0, 0, 0, ...extra, tags.length, 0, ...entries);
  };
  const ftyp = (major: string, ...compatible: string[]) =>
    ascii(
      `\0\0\0${String.fromCharCode(16 + 4 * compatible.length)}ftyp${major}\0\0\0\0${compatible.join("")}`,
    );

  const cases: [string, Uint8Array, FileFormat][] = [
    ["a plain TIFF", tiff([256, 257]), "tiff"],
    ["a DNG (DNGVersion in its first directory)", tiff([256, 50706]), "dng"],
    ["a Canon CR2 (its marker after the TIFF header)", tiff([256], [0x43, 0x52, 2, 0, 0, 0, 0, 0]), "cr2"],
    ["a HEIC", ftyp("heic", "mif1", "heic"), "heic"],
    ["an AVIF declaring mif1 first", ftyp("mif1", "mif1", "avif"), "avif"],
    ["a Canon CR3", ftyp("crx ", "crx "), "cr3"],
    ["an MP4 video", ftyp("isom", "isom", "mp41"), "bin"],
    ["a JPEG XL codestream", bytes(0xff, 0x0a, 0xfa, 0x1f), "jxl"],
    ["an ICO", bytes(0, 0, 1, 0, 1, 0, 16, 16), "ico"],
    ["a Photoshop file", ascii("8BPS\0\x01"), "psd"],
    [
      "an SVG after a BOM, comments and a doctype",
      ascii('\uFEFF<!-- x --><!DOCTYPE svg>\n<svg xmlns="">'),
      "svg",
    ],
    ["an XHTML page with an inline <svg>", ascii("<?xml version='1.0'?><html><svg></svg></html>"), "bin"],
    ["a text file", ascii("svg"), "bin"],
  ];
  for (const [what, file, format] of cases) {
    it(`names ${what} ${format}`, () => {
      expect(sniffFileFormat(file)).to.equal(format);
    });
  }
});

describe("extensionFits", () => {
  it("takes a format's own names and refuses another format's", () => {
    expect(extensionFits("JPEG", "jpg")).to.equal(true);
    expect(extensionFits("nef", "tiff")).to.equal(true);
    expect(extensionFits("png", "jpg")).to.equal(false);
    expect(extensionFits("jpg", "webp")).to.equal(false);
    // A file of unrecognised format: only its owner knows its name.
    expect(extensionFits("cr3", "bin")).to.equal(true);
  });
});
