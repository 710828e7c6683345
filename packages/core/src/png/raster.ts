import { inflate } from "node:zlib";

import { corrupt } from "../image/checks.js";
import { filterStride, SAMPLES_PER_PIXEL, scanlineBytes, type PngFile, type PngIhdr } from "./chunks.js";
import { filterRow, unfilterRow } from "./filter.js";

/** Adam7's passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** One run of scanlines in the image data: the whole image, or one Adam7 pass. */
interface Pass {
  readonly x0: number;
  readonly y0: number;
  readonly dx: number;
  readonly dy: number;
  readonly columns: number;
  readonly rows: number;
}

function passesOf(ihdr: PngIhdr): Pass[] {
  const { width, height } = ihdr;
  if (ihdr.interlace === 0) return [{ x0: 0, y0: 0, dx: 1, dy: 1, columns: width, rows: height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    columns: Math.max(0, Math.ceil((width - x0) / dx)),
    rows: Math.max(0, Math.ceil((height - y0) / dy)),
  })).filter((pass) => pass.columns > 0 && pass.rows > 0);
}

/** Bytes of filtered image data the header's size needs (one filter byte per scanline). */
export function filteredBytes(ihdr: PngIhdr): number {
  let total = 0;
  for (const pass of passesOf(ihdr)) total += pass.rows * (1 + scanlineBytes(ihdr, pass.columns));
  return total;
}

/** Scanlines in the image data: the height, or every Adam7 pass's rows together. */
export function scanlineCount(ihdr: PngIhdr): number {
  return passesOf(ihdr).reduce((sum, pass) => sum + pass.rows, 0);
}

/**
 * The image's unfiltered scanlines, top to bottom without filter bytes (deinterlaced), and the
 * filter type of every scanline as it stood in the file, in file order.
 */
export interface PngRaster {
  readonly ihdr: PngIhdr;
  /** height × scanlineBytes(width) bytes: samples as PNG packs them, big-endian for 16-bit. */
  readonly rows: Uint8Array;
  readonly filters: Uint8Array;
}

/**
 * Inflates the IDAT stream once, no further than the header's size needs (more is refused, as a
 * bomb would be), and undoes the filters: the raster plus the inflated (still filtered) stream.
 */
export async function readRaster(file: PngFile): Promise<{ raster: PngRaster; filtered: Uint8Array }> {
  const needed = filteredBytes(file.ihdr);
  const filtered = await inflateExactly(Buffer.concat(file.idat), needed);
  return { raster: unfilter(file.ihdr, filtered), filtered };
}

function inflateExactly(stream: Buffer, needed: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    inflate(stream, { maxOutputLength: Math.max(needed, 1) }, (error, out) => {
      if (error !== null) {
        const tooMuch = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
        const detail = tooMuch ? "it inflates to more than its size needs" : error.message;
        reject(corrupt("png", `its image data does not inflate (${detail})`));
        return;
      }
      if (out.length < needed) {
        reject(corrupt("png", `its image data holds ${out.length} of the ${needed} bytes its size needs`));
        return;
      }
      resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    });
  });
}

function unfilter(ihdr: PngIhdr, filtered: Uint8Array): PngRaster {
  const stride = filterStride(ihdr);
  const lineBytes = scanlineBytes(ihdr, ihdr.width);
  const rows = new Uint8Array(lineBytes * ihdr.height);
  const passes = passesOf(ihdr);
  const filters = new Uint8Array(scanlineCount(ihdr));
  let offset = 0;
  let line = 0;
  for (const pass of passes) {
    const bytes = scanlineBytes(ihdr, pass.columns);
    const direct = ihdr.interlace === 0;
    let prior = new Uint8Array(bytes);
    let scratch = new Uint8Array(direct ? 0 : bytes);
    for (let r = 0; r < pass.rows; r++) {
      const type = filtered[offset] as number;
      filters[line++] = type;
      const target = direct ? rows.subarray(r * lineBytes, (r + 1) * lineBytes) : scratch;
      target.set(filtered.subarray(offset + 1, offset + 1 + bytes));
      if (!unfilterRow(type, target, prior, stride)) {
        throw corrupt("png", `scanline ${line - 1} has the unknown filter type ${type}`);
      }
      if (direct) prior = target;
      else {
        scatter(ihdr, target, rows, lineBytes, pass, r);
        [prior, scratch] = [target, prior];
      }
      offset += 1 + bytes;
    }
  }
  return { ihdr, rows, filters };
}

/**
 * The filtered image data of a raster: every scanline (every pass's, when interlaced) filtered with
 * the type `filters` gives it, or with `fallback` where it gives none.
 */
export function filterRaster(raster: Omit<PngRaster, "filters">, filters: Uint8Array | number): Uint8Array {
  const { ihdr, rows } = raster;
  const stride = filterStride(ihdr);
  const lineBytes = scanlineBytes(ihdr, ihdr.width);
  const out = new Uint8Array(filteredBytes(ihdr));
  let offset = 0;
  let line = 0;
  for (const pass of passesOf(ihdr)) {
    const bytes = scanlineBytes(ihdr, pass.columns);
    let prior: Uint8Array = new Uint8Array(bytes);
    let current: Uint8Array = new Uint8Array(bytes);
    for (let r = 0; r < pass.rows; r++) {
      const type = typeof filters === "number" ? filters : (filters[line] ?? 0);
      line++;
      if (ihdr.interlace === 0) current = rows.subarray(r * lineBytes, (r + 1) * lineBytes);
      else gather(ihdr, rows, lineBytes, pass, r, current);
      out[offset] = type;
      filterRow(type, current, prior, stride, out.subarray(offset + 1, offset + 1 + bytes));
      offset += 1 + bytes;
      if (ihdr.interlace === 0) prior = current;
      else [prior, current] = [current, prior];
    }
  }
  return out;
}

/** Copies pass row `r` (its pixels packed in `line`) to their places in the full rows. */
function scatter(
  ihdr: PngIhdr,
  line: Uint8Array,
  rows: Uint8Array,
  lineBytes: number,
  pass: Pass,
  r: number,
) {
  const rowStart = (pass.y0 + r * pass.dy) * lineBytes;
  for (let c = 0; c < pass.columns; c++) {
    copyPixel(ihdr, line, 0, c, rows, rowStart, pass.x0 + c * pass.dx);
  }
}

/** Packs pass row `r`'s pixels from the full rows into `line`. */
function gather(ihdr: PngIhdr, rows: Uint8Array, lineBytes: number, pass: Pass, r: number, line: Uint8Array) {
  const rowStart = (pass.y0 + r * pass.dy) * lineBytes;
  line.fill(0);
  for (let c = 0; c < pass.columns; c++) {
    copyPixel(ihdr, rows, rowStart, pass.x0 + c * pass.dx, line, 0, c);
  }
}

/** Copies pixel `sp` of the row at src[srcStart] to pixel `dp` of the row at dst[dstStart], at any depth. */
function copyPixel(
  ihdr: PngIhdr,
  src: Uint8Array,
  srcStart: number,
  sp: number,
  dst: Uint8Array,
  dstStart: number,
  dp: number,
): void {
  const bits = ihdr.bitDepth * SAMPLES_PER_PIXEL[ihdr.colorType];
  if (bits >= 8) {
    const n = bits >> 3;
    for (let k = 0; k < n; k++) dst[dstStart + dp * n + k] = src[srcStart + sp * n + k] as number;
    return;
  }
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const sShift = 8 - bits * ((sp % perByte) + 1);
  const value = ((src[srcStart + Math.floor(sp / perByte)] as number) >> sShift) & mask;
  const dByte = dstStart + Math.floor(dp / perByte);
  const dShift = 8 - bits * ((dp % perByte) + 1);
  dst[dByte] = ((dst[dByte] as number) & ~(mask << dShift)) | (value << dShift);
}
