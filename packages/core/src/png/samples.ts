import type { RgbaImage } from "@disp/protocol";

import { corrupt } from "../image/checks.js";
import { scanlineBytes, type PngIhdr } from "./chunks.js";

/** What turns a raster's samples into colours: PLTE and tRNS data, when the file has them. */
export interface PngColours {
  readonly palette?: Uint8Array;
  readonly transparency?: Uint8Array;
}

/** Reads sample `i` (0-based, along the row) of bit depth `depth` from a row. */
function sampleAt(row: Uint8Array, start: number, i: number, depth: number): number {
  if (depth === 8) return row[start + i] as number;
  if (depth === 16) return ((row[start + 2 * i] as number) << 8) | (row[start + 2 * i + 1] as number);
  const perByte = 8 / depth;
  const shift = 8 - depth * ((i % perByte) + 1);
  return ((row[start + Math.floor(i / perByte)] as number) >> shift) & ((1 << depth) - 1);
}

/** Writes sample `i` of bit depth `depth` (below 16) into a row, which must start zeroed for depths below 8. */
function putSample(row: Uint8Array, start: number, i: number, depth: number, value: number): void {
  if (depth === 8) {
    row[start + i] = value;
    return;
  }
  const perByte = 8 / depth;
  const shift = 8 - depth * ((i % perByte) + 1);
  const at = start + Math.floor(i / perByte);
  row[at] = (row[at] as number) | (value << shift);
}

/** A sample scaled to 8 bits: low depths spread over 0-255 exactly, 16-bit to its high byte. */
function to8(value: number, depth: number): number {
  if (depth === 16) return value >> 8;
  return depth === 8 ? value : (value * 255) / ((1 << depth) - 1);
}

/**
 * The raster as 8-bit RGBA, the pixels DISP pools and hashes: grey spread to R = G = B, palette
 * indices looked up (tRNS giving alpha), a tRNS colour key made transparent, 16-bit samples
 * reduced to their high byte (the 16-bit codec keeps the full samples in its fragments).
 */
export function rasterToRgba(ihdr: PngIhdr, rows: Uint8Array, colours: PngColours): RgbaImage {
  const { width, height, bitDepth: depth, colorType } = ihdr;
  const key = colourKey(ihdr, colours.transparency);
  if (depth === 8 && key[0] === -1) {
    const fast = eightBitToRgba(colorType, rows, width * height, colours);
    if (fast !== undefined) return { width, height, data: fast };
  }
  const lineBytes = scanlineBytes(ihdr, width);
  const out = new Uint8Array(width * height * 4);
  const palette = colours.palette;
  if (colorType === 3 && palette === undefined) throw corrupt("png", "a palette image has no PLTE chunk");
  let o = 0;
  for (let y = 0; y < height; y++) {
    const start = y * lineBytes;
    for (let x = 0; x < width; x++, o += 4) {
      if (colorType === 3) {
        const index = sampleAt(rows, start, x, depth);
        if (3 * index + 2 >= (palette as Uint8Array).length) {
          throw corrupt("png", `pixel (${x}, ${y}) names palette entry ${index}, past the palette's end`);
        }
        out[o] = (palette as Uint8Array)[3 * index] as number;
        out[o + 1] = (palette as Uint8Array)[3 * index + 1] as number;
        out[o + 2] = (palette as Uint8Array)[3 * index + 2] as number;
        out[o + 3] = colours.transparency?.[index] ?? 255;
        continue;
      }
      if (colorType === 0 || colorType === 4) {
        const samples = colorType === 0 ? 1 : 2;
        const g = sampleAt(rows, start, x * samples, depth);
        out[o] = out[o + 1] = out[o + 2] = to8(g, depth);
        out[o + 3] =
          colorType === 4 ? to8(sampleAt(rows, start, x * 2 + 1, depth), depth) : g === key[0] ? 0 : 255;
        continue;
      }
      const samples = colorType === 2 ? 3 : 4;
      const r = sampleAt(rows, start, x * samples, depth);
      const g = sampleAt(rows, start, x * samples + 1, depth);
      const b = sampleAt(rows, start, x * samples + 2, depth);
      out[o] = to8(r, depth);
      out[o + 1] = to8(g, depth);
      out[o + 2] = to8(b, depth);
      if (colorType === 6) out[o + 3] = to8(sampleAt(rows, start, x * 4 + 3, depth), depth);
      else out[o + 3] = r === key[0] && g === key[1] && b === key[2] ? 0 : 255;
    }
  }
  return { width, height, data: out };
}

/** The common 8-bit cases in straight loops (no tRNS colour key): several times the general path's speed. */
function eightBitToRgba(
  colorType: number,
  rows: Uint8Array,
  pixels: number,
  colours: PngColours,
): Uint8Array | undefined {
  if (colorType === 6) return rows.slice();
  const out = new Uint8Array(pixels * 4);
  if (colorType === 2) {
    for (let p = 0, q = 0; p < pixels; p++, q += 3) {
      const o = p * 4;
      out[o] = rows[q] as number;
      out[o + 1] = rows[q + 1] as number;
      out[o + 2] = rows[q + 2] as number;
      out[o + 3] = 255;
    }
    return out;
  }
  if (colorType === 0 || colorType === 4) {
    const samples = colorType === 0 ? 1 : 2;
    for (let p = 0, q = 0; p < pixels; p++, q += samples) {
      const o = p * 4;
      const g = rows[q] as number;
      out[o] = out[o + 1] = out[o + 2] = g;
      out[o + 3] = samples === 2 ? (rows[q + 1] as number) : 255;
    }
    return out;
  }
  const palette = colours.palette;
  if (palette === undefined) return undefined;
  const table = new Uint8Array(256 * 4);
  const entries = palette.length / 3;
  for (let i = 0; i < entries; i++) {
    table.set(palette.subarray(3 * i, 3 * i + 3), 4 * i);
    table[4 * i + 3] = colours.transparency?.[i] ?? 255;
  }
  for (let p = 0; p < pixels; p++) {
    const index = rows[p] as number;
    if (index >= entries) return undefined; // the general path names the pixel
    const o = p * 4;
    const t = index * 4;
    out[o] = table[t] as number;
    out[o + 1] = table[t + 1] as number;
    out[o + 2] = table[t + 2] as number;
    out[o + 3] = table[t + 3] as number;
  }
  return out;
}

/** The tRNS colour key of a grey or RGB image, as raw samples (none: values no sample takes). */
function colourKey(ihdr: PngIhdr, transparency: Uint8Array | undefined): number[] {
  const none = [-1, -1, -1];
  if (transparency === undefined || (ihdr.colorType !== 0 && ihdr.colorType !== 2)) return none;
  const samples = ihdr.colorType === 0 ? 1 : 3;
  if (transparency.length < samples * 2) return none;
  const view = new DataView(transparency.buffer, transparency.byteOffset, transparency.byteLength);
  return Array.from({ length: samples }, (_, i) => view.getUint16(2 * i));
}

/**
 * The inverse of rasterToRgba for 8-bit and lower depths: the raster whose RGBA these pixels are,
 * or undefined when no raster of this header and palette gives them (a colour not in the palette,
 * a grey level a low depth cannot hold).
 */
export function rgbaToRaster(ihdr: PngIhdr, image: RgbaImage, colours: PngColours): Uint8Array | undefined {
  const { width, height, bitDepth: depth, colorType } = ihdr;
  if (depth === 16) return undefined;
  if (depth === 8 && colorType !== 3) return eightBitFromRgba(colorType, image.data);
  const lineBytes = scanlineBytes(ihdr, width);
  const rows = new Uint8Array(lineBytes * height);
  const data = image.data;
  const lookup = colorType === 3 ? paletteLookup(colours) : undefined;
  const levels = (1 << depth) - 1;
  let p = 0;
  for (let y = 0; y < height; y++) {
    const start = y * lineBytes;
    for (let x = 0; x < width; x++, p += 4) {
      const r = data[p] as number;
      if (lookup !== undefined) {
        const rgba =
          ((r << 24) |
            ((data[p + 1] as number) << 16) |
            ((data[p + 2] as number) << 8) |
            (data[p + 3] as number)) >>>
          0;
        const index = lookup.get(rgba);
        if (index === undefined) return undefined;
        putSample(rows, start, x, depth, index);
      } else if (colorType === 0 || colorType === 4) {
        const level = (r * levels) / 255;
        if (!Number.isInteger(level)) return undefined;
        const samples = colorType === 0 ? 1 : 2;
        putSample(rows, start, x * samples, depth, level);
        if (colorType === 4) putSample(rows, start, x * 2 + 1, depth, data[p + 3] as number);
      } else {
        const samples = colorType === 2 ? 3 : 4;
        const o = start + x * samples;
        rows[o] = r;
        rows[o + 1] = data[p + 1] as number;
        rows[o + 2] = data[p + 2] as number;
        if (colorType === 6) rows[o + 3] = data[p + 3] as number;
      }
    }
  }
  return rows;
}

/** RGBA (as one 32-bit number) to the first palette index that gives it. */
function paletteLookup(colours: PngColours): Map<number, number> {
  const palette = colours.palette ?? new Uint8Array(0);
  const lookup = new Map<number, number>();
  for (let i = palette.length / 3 - 1; i >= 0; i--) {
    const alpha = colours.transparency?.[i] ?? 255;
    const rgba =
      (((palette[3 * i] as number) << 24) |
        ((palette[3 * i + 1] as number) << 16) |
        ((palette[3 * i + 2] as number) << 8) |
        alpha) >>>
      0;
    lookup.set(rgba, i);
  }
  return lookup;
}

/** The 8-bit grey, RGB and RGBA cases of rgbaToRaster in straight loops: the channels the type keeps. */
function eightBitFromRgba(colorType: number, data: Uint8Array): Uint8Array {
  if (colorType === 6) return data.slice();
  const pixels = data.length >> 2;
  const samples = colorType === 2 ? 3 : colorType === 4 ? 2 : 1;
  const rows = new Uint8Array(pixels * samples);
  for (let p = 0, q = 0; p < data.length; p += 4, q += samples) {
    rows[q] = data[p] as number;
    if (samples === 3) {
      rows[q + 1] = data[p + 1] as number;
      rows[q + 2] = data[p + 2] as number;
    } else if (samples === 2) rows[q + 1] = data[p + 3] as number;
  }
  return rows;
}
