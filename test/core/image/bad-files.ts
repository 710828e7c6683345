import { crc32, deflateSync } from "node:zlib";

import { Jimp } from "jimp";
import { PNG } from "pngjs";

import { fixtureBytes, pseudoRandomBytes } from "../helpers.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A well-formed PNG header claiming `width` × `height` pixels, with no image data at all. */
export function bombPng(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no interlace
  return concat([new Uint8Array(PNG_SIGNATURE), chunk("IHDR", ihdr), chunk("IEND", new Uint8Array())]);
}

/**
 * A 64 × 64 RGBA PNG whose IDAT is a complete zlib stream of only `rows` filtered scanlines, and,
 * when `interlaced`, whose header says Adam7.
 */
export function shortDataPng(rows: number, interlaced = false): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, 64);
  view.setUint32(4, 64);
  ihdr.set([8, 6, 0, 0, interlaced ? 1 : 0], 8);
  const scanlines = new Uint8Array(rows * (1 + 64 * 4)).fill(0x7f);
  for (let row = 0; row < rows; row++) scanlines[row * (1 + 64 * 4)] = 0; // filter type None
  return concat([
    new Uint8Array(PNG_SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(scanlines)),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** A small valid PNG of random pixels. */
export function smallPng(): Uint8Array {
  const png = new PNG({ width: 16, height: 16 });
  png.data = Buffer.from(pseudoRandomBytes(16 * 16 * 4, 7));
  return new Uint8Array(PNG.sync.write(png));
}

/** `smallPng()` with one bit of its image data flipped, so the IDAT CRC no longer matches. */
export function badCrcPng(): Uint8Array {
  const bytes = smallPng().slice();
  const idat = Buffer.from(bytes).indexOf("IDAT");
  bytes[idat + 10] = (bytes[idat + 10] as number) ^ 1;
  return bytes;
}

/** A fixture re-encoded by jimp as `mime`, cut to `fraction` of its length. */
async function truncated(
  mime: "image/bmp" | "image/gif" | "image/tiff",
  fraction: number,
): Promise<Uint8Array> {
  const image = await Jimp.fromBuffer(Buffer.from(fixtureBytes("chelsea.png")));
  const bytes = await image.getBuffer(mime);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

export const BAD_FILES: Record<string, () => Uint8Array | Promise<Uint8Array>> = {
  empty: () => new Uint8Array(),
  "random bytes": () => pseudoRandomBytes(4096, 42),
  "PNG signature then random bytes": () =>
    concat([new Uint8Array(PNG_SIGNATURE), pseudoRandomBytes(4096, 43)]),
  "truncated PNG": () => fixtureBytes("coffee.png").subarray(0, 100_000),
  "truncated JPEG": () => fixtureBytes("rocket.jpg").subarray(0, 40_000),
  "truncated BMP": () => truncated("image/bmp", 0.9),
  "truncated GIF": () => truncated("image/gif", 0.9),
  "truncated TIFF": () => truncated("image/tiff", 0.99),
  "PNG with a bad CRC": badCrcPng,
  "PNG header only": () => bombPng(64, 64),
  "PNG with half its rows": () => shortDataPng(32),
  "interlaced PNG with too few bytes for its passes": () => shortDataPng(60, true),
};

/** Headers of each format claiming a huge image, with no image data behind them. */
export const BOMB_HEADERS: Record<string, () => Uint8Array> = {
  "PNG 100000 × 100000": () => bombPng(100_000, 100_000),
  "JPEG 65535 × 65535": () =>
    new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xc0,
      0x00,
      0x11,
      0x08,
      0xff,
      0xff,
      0xff,
      0xff,
      0x03,
      ...new Array(9).fill(0),
    ]),
  "GIF 65535 × 65535": () => gif(65535, 65535, 65535, 65535),
  "BMP 100000 × 100000": () => {
    const bytes = new Uint8Array(54);
    const view = new DataView(bytes.buffer);
    bytes.set([0x42, 0x4d]);
    view.setUint32(14, 40, true);
    view.setInt32(18, 100_000, true);
    view.setInt32(22, 100_000, true);
    view.setUint16(26, 1, true);
    view.setUint16(28, 24, true);
    return bytes;
  },
  "TIFF 100000 × 100000": () =>
    tiff([
      [256, 4, 1, 100_000],
      [257, 4, 1, 100_000],
      [273, 4, 1, 0],
      [279, 4, 1, 0],
    ]),
};

/** A JPEG frame header declaring 12-bit samples. */
export function twelveBitJpegHeader(): Uint8Array {
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xc1,
    0x00,
    0x11,
    0x0c,
    0x00,
    0x10,
    0x00,
    0x10,
    0x03,
    ...new Array(9).fill(0),
  ]);
}

/** A GIF header: logical screen, no colour table, then the first frame's descriptor. */
export function gif(width: number, height: number, frameWidth: number, frameHeight: number): Uint8Array {
  const bytes = new Uint8Array(13 + 10);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("GIF89a"));
  view.setUint16(6, width, true);
  view.setUint16(8, height, true);
  bytes[13] = 0x2c;
  view.setUint16(18, frameWidth, true);
  view.setUint16(20, frameHeight, true);
  return bytes;
}

/** A little-endian TIFF with one directory of [tag, type, count, value] entries. */
export function tiff(entries: Array<[number, number, number, number]>, nextDirectory = 0): Uint8Array {
  const bytes = new Uint8Array(8 + 2 + entries.length * 12 + 4);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 0x2a, 0x00]);
  view.setUint32(4, 8, true);
  view.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    view.setUint32(at + 8, value, true);
  });
  view.setUint32(10 + entries.length * 12, nextDirectory, true);
  return bytes;
}

const smallTiffEntries: Array<[number, number, number, number]> = [
  [256, 4, 1, 2],
  [257, 4, 1, 2],
  [273, 4, 1, 0],
  [279, 4, 1, 4],
];

/** Structural traps for decoders that trust their tables (each must be IMAGE_CORRUPT). */
export const TRAP_FILES: Record<string, () => Uint8Array> = {
  "GIF whose first frame is larger than its screen": () => gif(1, 1, 65535, 65535),
  "TIFF entry claiming four billion values": () => tiff([...smallTiffEntries, [270, 3, 0xffffffff, 0]]),
  "TIFF whose page chain loops": () => tiff(smallTiffEntries, 8),
  "TIFF whose strips lie past the end": () => tiff([...smallTiffEntries.slice(0, 3), [279, 4, 1, 1_000_000]]),
};
