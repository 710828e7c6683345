import { sha256Hex, type Kernel } from "@disp/protocol";

import { analyseJpeg } from "./analyse.js";
import type { VerifiedJpeg } from "./analyse.js";
import { countSymbols, encodeScan, STANDARD_PADDING } from "./encode.js";
import { JpegInvalidError, JpegUnsupportedError } from "./errors.js";
import { fragmentGeometries, fragmentMcuOrder } from "./geometry.js";
import type { FragmentGeometry, JpegLimits } from "./geometry.js";
import { bestSpec, buildEncodeTable, STANDARD_AC, STANDARD_DC } from "./huffman.js";
import type { EncodeTable } from "./huffman.js";
import type { HuffmanSpec } from "./parse.js";
import { JPEG_LAYOUT_SCHEMA, toBase64 } from "./layout.js";
import type { JpegLayout } from "./layout.js";
import { writeFragmentJpeg } from "./writer.js";
import { analyseProgressive } from "./progressive/index.js";
import type { ProgressiveFidelity } from "./progressive/index.js";
import type { CoefficientGrid } from "./decode.js";
import type { McuGeometry } from "./geometry.js";
import { parseJpegHeader } from "./parse.js";
import type { ParsedJpeg } from "./parse.js";

export interface JpegInfo {
  readonly width: number;
  readonly height: number;
  /** "baseline" (SOF0), "extended" (SOF1, 8-bit, Huffman) or "progressive" (SOF2, Huffman). */
  readonly frame: "baseline" | "extended" | "progressive";
  /** What merge gives back: the file itself, or (some progressive files) its coefficients re-encoded. */
  readonly fidelity: ProgressiveFidelity;
  readonly components: readonly { readonly id: number; readonly h: number; readonly v: number }[];
  readonly mcuWidth: number;
  readonly mcuHeight: number;
  readonly mcusX: number;
  readonly mcusY: number;
  readonly restartInterval: number;
  /** EXIF orientation 1..8 (1 when none): viewers, and jimp, rotate the decoded pixels by it. */
  readonly orientation: number;
  /** Bytes before the SOS marker (APPn, tables, SOF...) and after the entropy-coded data. */
  readonly headerBytes: number;
  readonly trailerBytes: number;
}

export type JpegInspection =
  | { readonly supported: true; readonly info: JpegInfo }
  | { readonly supported: false; readonly code: string; readonly reason: string };

const FRAMES: Record<number, JpegInfo["frame"]> = { 0xc0: "baseline", 0xc1: "extended", 0xc2: "progressive" };

function info(source: CoefficientSource): JpegInfo {
  const { parsed, geometry } = source;
  return {
    width: parsed.width,
    height: parsed.height,
    frame: FRAMES[parsed.sofMarker] ?? "baseline",
    fidelity: source.fidelity,
    components: parsed.components.map((c) => ({ id: c.id, h: c.h, v: c.v })),
    mcuWidth: geometry.mcuWidth,
    mcuHeight: geometry.mcuHeight,
    mcusX: geometry.mcusX,
    mcusY: geometry.mcusY,
    restartInterval: parsed.restartInterval,
    orientation: parsed.orientation,
    headerBytes: parsed.sosOffset,
    trailerBytes: source.trailerBytes,
  };
}

/** A JPEG decoded to coefficients that merge was checked to write back, and what fragments need. */
interface CoefficientSource {
  readonly parsed: ParsedJpeg;
  /** The frame fragments are written with: the original's, or a baseline one for a progressive file. */
  readonly fragmentFrame: ParsedJpeg;
  readonly geometry: McuGeometry;
  readonly grid: CoefficientGrid;
  readonly scanBytes: number;
  readonly trailerBytes: number;
  readonly fidelity: ProgressiveFidelity;
  /** The layout fields that say how merge writes the scans: sos, padding, and the progressive record. */
  readonly record: Pick<JpegLayout, "sos" | "padBit" | "padFullByte" | "trailer" | "progressive">;
}

function sequentialSource(jpeg: VerifiedJpeg): CoefficientSource {
  const { parsed, bytes } = jpeg;
  return {
    parsed,
    fragmentFrame: parsed,
    geometry: jpeg.geometry,
    grid: jpeg.grid,
    scanBytes: jpeg.scanEnd - parsed.dataOffset,
    trailerBytes: bytes.length - jpeg.scanEnd,
    fidelity: "fileExact",
    record: {
      sos: toBase64(bytes.subarray(parsed.sosOffset, parsed.dataOffset)),
      padBit: jpeg.padding.bit,
      padFullByte: jpeg.padding.fullByte,
      trailer: toBase64(bytes.subarray(jpeg.scanEnd)),
    },
  };
}

/**
 * Fragments of a progressive file are baseline JPEGs (SOF1 if a quantization table is 16-bit) of
 * one interleaved scan, DC and AC tables 0 for the first component and 1 for the others.
 */
function baselineFrame(parsed: ParsedJpeg): ParsedJpeg {
  const wide = parsed.components.some((c) => parsed.quant[c.tq]?.precision === 1);
  return {
    ...parsed,
    sofMarker: wide ? 0xc1 : 0xc0,
    scan: parsed.components.map((_, i) => ({ frameIndex: i, td: i === 0 ? 0 : 1, ta: i === 0 ? 0 : 1 })),
  };
}

function progressiveSource(bytes: Uint8Array, parsed: ParsedJpeg, limits?: JpegLimits): CoefficientSource {
  const jpeg = analyseProgressive(bytes, parsed, limits);
  const [first, ...rest] = jpeg.heads;
  return {
    parsed,
    fragmentFrame: baselineFrame(parsed),
    geometry: jpeg.geometry,
    grid: jpeg.grid,
    scanBytes: jpeg.scanBytes,
    trailerBytes: jpeg.trailer.length,
    fidelity: jpeg.fidelity,
    record: {
      sos: toBase64(first as Uint8Array),
      padBit: 1,
      padFullByte: false,
      trailer: toBase64(jpeg.trailer),
      progressive: { scans: rest.map(toBase64), fidelity: jpeg.fidelity, sha256: sha256Hex(jpeg.rebuilt) },
    },
  };
}

/** Decodes a sequential or progressive JPEG to coefficients, checking that merge can write it back. */
function readCoefficients(bytes: Uint8Array, limits?: JpegLimits): CoefficientSource {
  const parsed = parseJpegHeader(bytes);
  if (parsed.sofMarker === 0xc2) return progressiveSource(bytes, parsed, limits);
  return sequentialSource(analyseJpeg(bytes, limits));
}

/**
 * Whether the coefficient codec can split `bytes` and merge them back byte for byte. This runs the
 * full check (decode, re-encode, compare), so it costs about as much as a split.
 */
export function inspectJpeg(bytes: Uint8Array, limits?: JpegLimits): JpegInspection {
  try {
    return { supported: true, info: info(readCoefficients(bytes, limits)) };
  } catch (error) {
    if (error instanceof JpegUnsupportedError)
      return { supported: false, code: error.code, reason: error.reason };
    if (error instanceof JpegInvalidError)
      return { supported: false, code: error.code, reason: error.message };
    throw error;
  }
}

export interface JpegSplit {
  /** One baseline JPEG per kernel offset, index a*kw+b. */
  readonly fragments: Uint8Array[];
  readonly layout: JpegLayout;
}

/**
 * Splits a JPEG at MCU granularity: fragment (a, b) holds MCUs (i*kh+a, j*kw+b), written as a small
 * JPEG of the whole with the original quantization and its own optimal Huffman tables. Throws
 * JpegUnsupportedError / JpegInvalidError when the file cannot be rebuilt byte for byte (the caller
 * then uses the pixel codec and says why), JpegKernelError for a kernel outside 1..8, and
 * JpegTooLargeError (from the header, before allocating) past `limits.maxPixels`.
 */
export function splitJpeg(bytes: Uint8Array, kernel: Kernel, limits?: JpegLimits): JpegSplit {
  const source = readCoefficients(bytes, limits);
  const { parsed, geometry } = source;
  const geometries = fragmentGeometries(geometry, kernel);
  const fragments = geometries.map((fragment) => encodeFragment(source, kernel, fragment));
  const layout: JpegLayout = {
    schema: JPEG_LAYOUT_SCHEMA,
    width: parsed.width,
    height: parsed.height,
    kernel: { kh: kernel.height, kw: kernel.width },
    components: parsed.components.map((c) => ({ id: c.id, h: c.h, v: c.v })),
    mcuWidth: geometry.mcuWidth,
    mcuHeight: geometry.mcuHeight,
    mcusX: geometry.mcusX,
    mcusY: geometry.mcusY,
    restartInterval: parsed.restartInterval,
    byteLength: bytes.length,
    fragments: geometries.map((f) => ({ width: f.width, height: f.height })),
    header: toBase64(bytes.subarray(0, parsed.sosOffset)),
    ...source.record,
  };
  return { fragments, layout };
}

/** Sums per-component symbol counts into per-table counts (components may share a table). */
function tableCounts(perComponent: Uint32Array[], tableIds: readonly number[]): Map<number, Uint32Array> {
  const byTable = new Map<number, Uint32Array>();
  perComponent.forEach((counts, c) => {
    const id = tableIds[c] ?? 0;
    const sum = byTable.get(id) ?? new Uint32Array(256);
    for (let s = 0; s < 256; s++) sum[s] = (sum[s] ?? 0) + (counts[s] ?? 0);
    byTable.set(id, sum);
  });
  return byTable;
}

function chooseTables(
  counts: Map<number, Uint32Array>,
  standards: readonly HuffmanSpec[],
): Map<number, HuffmanSpec> {
  return new Map([...counts].map(([id, freq]) => [id, bestSpec(freq, standards)]));
}

function encodeFragment(source: CoefficientSource, kernel: Kernel, fragment: FragmentGeometry): Uint8Array {
  const { fragmentFrame: parsed, geometry, grid } = source;
  const order = fragmentMcuOrder(geometry, kernel, fragment);
  const symbols = countSymbols(grid, geometry, order);
  const dcIds = parsed.scan.map((s) => s.td);
  const acIds = parsed.scan.map((s) => s.ta);
  const dc = chooseTables(tableCounts(symbols.dc, dcIds), STANDARD_DC);
  const ac = chooseTables(tableCounts(symbols.ac, acIds), STANDARD_AC);
  const dcEncode = dcIds.map((id) => buildEncodeTable(dc.get(id) as HuffmanSpec));
  const acEncode: EncodeTable[] = acIds.map((id) => buildEncodeTable(ac.get(id) as HuffmanSpec));
  const estimate = Math.ceil((source.scanBytes * order.length) / (geometry.mcusX * geometry.mcusY));
  const scan = encodeScan(grid, geometry, dcEncode, acEncode, 0, STANDARD_PADDING, order, estimate + 4096);
  return writeFragmentJpeg(parsed, fragment.width, fragment.height, { dc, ac }, scan);
}
