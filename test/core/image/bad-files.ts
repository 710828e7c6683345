import { crc32 } from "node:zlib";

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

export const BAD_FILES: Record<string, () => Uint8Array> = {
  empty: () => new Uint8Array(),
  "random bytes": () => pseudoRandomBytes(4096, 42),
  "PNG signature then random bytes": () =>
    concat([new Uint8Array(PNG_SIGNATURE), pseudoRandomBytes(4096, 43)]),
  "truncated PNG": () => fixtureBytes("coffee.png").subarray(0, 100_000),
  "truncated JPEG": () => fixtureBytes("rocket.jpg").subarray(0, 40_000),
  "PNG with a bad CRC": badCrcPng,
  "PNG header only": () => bombPng(64, 64),
};
