import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

import { Jimp } from "jimp";

import { applyOrientation, psnr as corePsnr } from "@disp/core";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
const CORPUS = new URL("jpeg-corpus/", FIXTURES);

export interface NamedJpeg {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

function readDir(dir: URL): NamedJpeg[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".jpg"))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, dir))) }));
}

/** The fixture photo and every corpus file the coefficient codec must handle byte-exactly. */
export function supportedJpegs(): NamedJpeg[] {
  return [{ name: "rocket.jpg", bytes: readFixture("rocket.jpg") }, ...readDir(CORPUS)];
}

/** A corpus file the codec must take, by name. */
export function corpusFile(name: string): Uint8Array {
  const found = supportedJpegs().find((f) => f.name === name);
  if (found === undefined) throw new Error(`no corpus file ${name}`);
  return found.bytes;
}

/** What `run` throws, or undefined. */
export function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Corpus files the codec must refuse (arithmetic, several sequential scans). */
export function unsupportedJpegs(): NamedJpeg[] {
  return readDir(new URL("unsupported/", CORPUS));
}

export interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decodes with jimp (jpeg-js), as the pixel path does. */
export async function jimpDecode(bytes: Uint8Array): Promise<Bitmap> {
  const image = await Jimp.fromBuffer(Buffer.from(bytes));
  const { width, height, data } = image.bitmap;
  return { width, height, data: new Uint8Array(data) };
}

/** The JPEG without its APP1 (EXIF) segments, so jimp decodes the pixels as stored, unrotated. */
export function withoutExif(bytes: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let pos = 2;
  while (bytes[pos] === 0xff && bytes[pos + 1] !== 0xda) {
    const end = pos + 2 + (((bytes[pos + 2] ?? 0) << 8) | (bytes[pos + 3] ?? 0));
    if (bytes[pos + 1] !== 0xe1) kept.push(bytes.subarray(pos, end));
    pos = end;
  }
  kept.push(bytes.subarray(pos));
  return new Uint8Array(Buffer.concat(kept));
}

export async function jimpEncode(bitmap: Bitmap, quality: number): Promise<Uint8Array> {
  // Buffer.alloc, not Buffer.from: a small Buffer.from lives in Node's shared pool, and jimp's JPEG
  // encoder then reads pool bytes that are not the image's.
  const data = Buffer.alloc(bitmap.data.length);
  data.set(bitmap.data);
  const image = Jimp.fromBitmap({ width: bitmap.width, height: bitmap.height, data });
  return new Uint8Array(await image.getBuffer("image/jpeg", { quality }));
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** PSNR over the RGB channels of two RGBA buffers of the same size (core's psnr, on raw buffers). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  return corePsnr({ width: a.length / 4, height: 1, data: a }, { width: b.length / 4, height: 1, data: b });
}

/** A deterministic photo-like test image: gradients, a few shapes and some grain. */
export function syntheticBitmap(width: number, height: number, seed: number): Bitmap {
  const data = new Uint8Array(width * height * 4);
  let state = seed | 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const grain = ((state >>> 0) % 17) - 8;
      const ring = Math.sin(Math.hypot(x - width / 3, y - height / 2) / 4) * 40;
      const p = (y * width + x) * 4;
      data[p] = clamp((x * 255) / width + ring + grain);
      data[p + 1] = clamp((y * 255) / height - ring + grain);
      data[p + 2] = clamp(((x + y) % 64) * 4 + grain);
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/** Applies an EXIF orientation the way jimp does after decoding (core's copy of its transform table). */
export function orient(bitmap: Bitmap, orientation: number): Bitmap {
  return applyOrientation(bitmap, orientation);
}
