import { chunkBytes, ihdrData, pngSignature, type PngChunk, type PngIhdr } from "./chunks.js";
import { deflateExactly, deflateWith, type DeflateSettings } from "./deflate.js";
import { filterRaster } from "./raster.js";

/** How a file's image data is written: filters per scanline (or one for all), zlib, IDAT sizes. */
export interface ImageDataEncoding {
  readonly filters: Uint8Array | number;
  /** Recorded settings (reproduced with canonical zlib), or a level for Node's zlib. */
  readonly deflate: DeflateSettings | { readonly level: number };
  /** The IDAT chunk data sizes in order, as [size, count] runs; the last run may end short. */
  readonly idatRuns: readonly (readonly [size: number, count: number])[];
}

/** The parts of a PNG file around its pixels. */
export interface PngFrame {
  readonly ihdr: PngIhdr;
  readonly before: readonly PngChunk[];
  readonly after: readonly PngChunk[];
  readonly trailer: Uint8Array;
}

/** One IDAT chunk per MiB when no split is recorded. */
export const DEFAULT_IDAT_RUNS: ImageDataEncoding["idatRuns"] = [[1 << 20, Number.MAX_SAFE_INTEGER]];

/** A PNG file: signature, IHDR, the `before` chunks, the raster filtered and deflated, `after`, IEND. */
export async function writePng(
  frame: PngFrame,
  rows: Uint8Array,
  encoding: ImageDataEncoding,
): Promise<Uint8Array> {
  const filtered = filterRaster({ ihdr: frame.ihdr, rows }, encoding.filters);
  const { deflate } = encoding;
  const stream =
    "memLevel" in deflate ? deflateExactly(filtered, deflate) : await deflateWith(filtered, deflate);
  return assemblePng(frame, stream, encoding.idatRuns);
}

/** The file around an already compressed image data stream, split into IDAT chunks by `runs`. */
export function assemblePng(
  frame: PngFrame,
  stream: Uint8Array,
  runs: ImageDataEncoding["idatRuns"],
): Uint8Array {
  const parts: Uint8Array[] = [pngSignature(), chunkBytes("IHDR", ihdrData(frame.ihdr))];
  for (const chunk of frame.before) parts.push(chunkBytes(chunk.type, chunk.data));
  let at = 0;
  let written = 0;
  for (const [size, count] of runs) {
    for (let i = 0; i < count; i++) {
      // Sizes as recorded; an open-ended run (the default) stops where the stream does.
      if (size > 0 && at >= stream.length && written > 0) break;
      parts.push(chunkBytes("IDAT", stream.subarray(at, Math.min(at + size, stream.length))));
      at += size;
      written++;
    }
  }
  // Sizes that account for less than the stream: the rest in one last chunk.
  if (at < stream.length) parts.push(chunkBytes("IDAT", stream.subarray(at)));
  for (const chunk of frame.after) parts.push(chunkBytes(chunk.type, chunk.data));
  parts.push(chunkBytes("IEND", new Uint8Array(0)), frame.trailer);
  return Buffer.concat(parts);
}

/** The IDAT data sizes of a file as [size, count] runs. */
export function idatRuns(idat: readonly Uint8Array[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const chunk of idat) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] === chunk.length) last[1]++;
    else runs.push([chunk.length, 1]);
  }
  return runs;
}
