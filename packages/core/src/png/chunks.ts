import { crc32 } from "node:zlib";

import { corrupt } from "../image/checks.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
export const PNG_SIGNATURE_BYTES: number = SIGNATURE.length;

/** Most chunks besides IDAT one file may have: a bound on work and on the manifest's chunk list. */
export const MAX_PNG_CHUNKS = 4096;

/** The PNG colour types, by their code in IHDR. */
export const PNG_COLOR_TYPE_CODES = [0, 2, 3, 4, 6] as const;
export type PngColorTypeCode = (typeof PNG_COLOR_TYPE_CODES)[number];

/** Samples per pixel of each colour type (grey, RGB, palette index, grey + alpha, RGBA). */
export const SAMPLES_PER_PIXEL: Readonly<Record<PngColorTypeCode, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The bit depths each colour type allows (PNG spec, table 11.1). */
const DEPTHS: Readonly<Record<PngColorTypeCode, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

export interface PngIhdr {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: PngColorTypeCode;
  readonly interlace: 0 | 1;
}

/** One chunk as it stands in the file: its four-letter type and its data (a view into the file). */
export interface PngChunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** A PNG file taken apart: IHDR, the IDAT payloads in order, every other chunk around them. */
export interface PngFile {
  readonly ihdr: PngIhdr;
  /** Chunks between IHDR and the first IDAT (PLTE, tRNS, iCCP, tEXt, …), in file order. */
  readonly before: readonly PngChunk[];
  readonly idat: readonly Uint8Array[];
  /** Chunks between the last IDAT and IEND, in file order. */
  readonly after: readonly PngChunk[];
  /** Bytes after IEND, which some writers leave; kept so such a file can still come back whole. */
  readonly trailer: Uint8Array;
}

export function isPngColorType(code: number): code is PngColorTypeCode {
  return (PNG_COLOR_TYPE_CODES as readonly number[]).includes(code);
}

/**
 * Walks a PNG's chunks with bounds checks and checks every chunk's CRC, metadata included: a
 * damaged profile or text chunk is as much a damaged file as a damaged IDAT. The chunk order the
 * spec requires for IHDR, PLTE, IDAT (consecutive) and IEND is enforced.
 */
export function readPngFile(bytes: Uint8Array): PngFile {
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw corrupt("png", "no PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ihdr: PngIhdr | undefined;
  const before: PngChunk[] = [];
  const idat: Uint8Array[] = [];
  const after: PngChunk[] = [];
  let idatDone = false;
  let offset: number = PNG_SIGNATURE_BYTES;
  for (let count = 0; ; count++) {
    if (before.length + after.length > MAX_PNG_CHUNKS) {
      throw corrupt("png", `it has more than ${MAX_PNG_CHUNKS} chunks besides its image data`);
    }
    if (offset + 12 > bytes.length) throw corrupt("png", "it ends before its IEND chunk");
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) {
      throw corrupt("png", `a chunk at byte ${offset} runs past the end of the file`);
    }
    const typeBytes = bytes.subarray(offset + 4, offset + 8);
    const type = String.fromCharCode(...typeBytes);
    if (!/^[A-Za-z]{4}$/.test(type)) throw corrupt("png", `a chunk at byte ${offset} has no valid type`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(data, crc32(typeBytes)) >>> 0 !== view.getUint32(offset + 8 + length)) {
      throw corrupt(
        "png",
        `the CRC of its ${type} chunk at byte ${offset} does not match (the chunk is damaged)`,
      );
    }
    offset = end;
    if (count === 0) {
      if (type !== "IHDR" || length !== 13) throw corrupt("png", "the first chunk is not a 13-byte IHDR");
      ihdr = parseIhdr(data);
      continue;
    }
    if (type === "IHDR") throw corrupt("png", "it has a second IHDR chunk");
    if (type === "IEND") {
      if (idat.length === 0) throw corrupt("png", "it has no image data (no IDAT chunk)");
      return { ihdr: ihdr as PngIhdr, before, idat, after, trailer: bytes.subarray(offset) };
    }
    if (type === "IDAT") {
      if (idatDone) throw corrupt("png", "its IDAT chunks are not consecutive");
      idat.push(data);
      continue;
    }
    if (idat.length > 0) idatDone = true;
    if (type === "PLTE" && idat.length > 0) throw corrupt("png", "its PLTE chunk comes after the image data");
    (idat.length > 0 ? after : before).push({ type, data });
  }
}

function parseIhdr(data: Uint8Array): PngIhdr {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const bitDepth = data[8] as number;
  const colorType = data[9] as number;
  const interlace = data[12] as number;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw corrupt("png", `its header declares the size ${width} × ${height}`);
  }
  if (!isPngColorType(colorType)) throw corrupt("png", `unknown colour type ${colorType}`);
  if (!DEPTHS[colorType].includes(bitDepth)) {
    throw corrupt("png", `bit depth ${bitDepth} is not allowed with colour type ${colorType}`);
  }
  if (data[10] !== 0 || data[11] !== 0) throw corrupt("png", "unknown compression or filter method");
  if (interlace !== 0 && interlace !== 1) throw corrupt("png", `unknown interlace method ${interlace}`);
  return { width, height, bitDepth, colorType, interlace };
}

/** Bytes of one unfiltered scanline of `columns` pixels (without its filter byte). */
export function scanlineBytes(ihdr: Pick<PngIhdr, "bitDepth" | "colorType">, columns: number): number {
  return Math.ceil((columns * SAMPLES_PER_PIXEL[ihdr.colorType] * ihdr.bitDepth) / 8);
}

/** Bytes per complete pixel, at least 1: the distance the Sub, Average and Paeth filters look back. */
export function filterStride(ihdr: Pick<PngIhdr, "bitDepth" | "colorType">): number {
  return Math.max(1, (SAMPLES_PER_PIXEL[ihdr.colorType] * ihdr.bitDepth) >> 3);
}

/** A chunk with its length, type and CRC, ready to write. */
export function chunkBytes(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(8, 8 + data.length), crc32(out.subarray(4, 8))) >>> 0);
  return out;
}

/** IHDR's 13 bytes. */
export function ihdrData(ihdr: PngIhdr): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, ihdr.width);
  view.setUint32(4, ihdr.height);
  data[8] = ihdr.bitDepth;
  data[9] = ihdr.colorType;
  data[12] = ihdr.interlace;
  return data;
}

export function pngSignature(): Uint8Array {
  return Uint8Array.from(SIGNATURE);
}
