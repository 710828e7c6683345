import { allocateGrid, decodeScan } from "./decode.js";
import type { CoefficientGrid } from "./decode.js";
import { encodeScan } from "./encode.js";
import type { Padding } from "./encode.js";
import { JpegUnsupportedError } from "./errors.js";
import { checkSize, mcuGeometry } from "./geometry.js";
import type { JpegLimits, McuGeometry } from "./geometry.js";
import { buildDecodeTable, buildEncodeTable } from "./huffman.js";
import type { DecodeTable, EncodeTable } from "./huffman.js";
import { parseJpegHeader } from "./parse.js";
import type { HuffmanSpec, ParsedJpeg } from "./parse.js";

/** A JPEG decoded to coefficients whose re-encoding was checked to give back its exact bytes. */
export interface VerifiedJpeg {
  readonly bytes: Uint8Array;
  readonly parsed: ParsedJpeg;
  readonly geometry: McuGeometry;
  readonly grid: CoefficientGrid;
  readonly padding: Padding;
  /** Offset just past the entropy-coded data: the trailer (EOI and after) starts here. */
  readonly scanEnd: number;
}

function tablesFor<T>(
  parsed: ParsedJpeg,
  pick: (scan: ParsedJpeg["scan"][number]) => HuffmanSpec | undefined,
  build: (spec: HuffmanSpec) => T,
): T[] {
  const cache = new Map<HuffmanSpec, T>();
  return parsed.scan.map((s) => {
    const spec = pick(s) as HuffmanSpec; // parseJpegHeader checked every table the scan names
    let table = cache.get(spec);
    if (table === undefined) {
      table = build(spec);
      cache.set(spec, table);
    }
    return table;
  });
}

export function decodeTables(parsed: ParsedJpeg): { dc: DecodeTable[]; ac: DecodeTable[] } {
  return {
    dc: tablesFor(parsed, (s) => parsed.dc[s.td], buildDecodeTable),
    ac: tablesFor(parsed, (s) => parsed.ac[s.ta], buildDecodeTable),
  };
}

export function encodeTables(parsed: ParsedJpeg): { dc: EncodeTable[]; ac: EncodeTable[] } {
  return {
    dc: tablesFor(parsed, (s) => parsed.dc[s.td], buildEncodeTable),
    ac: tablesFor(parsed, (s) => parsed.ac[s.ta], buildEncodeTable),
  };
}

/**
 * Parses and entropy-decodes a JPEG, then re-encodes its coefficients with its own tables and
 * compares with the file: byte-exactness is verified here, never assumed. Throws
 * JpegUnsupportedError (with the reason) or JpegInvalidError.
 */
export function analyseJpeg(bytes: Uint8Array, limits?: JpegLimits): VerifiedJpeg {
  const parsed = parseJpegHeader(bytes);
  checkSize(parsed.width, parsed.height, limits);
  const geometry = mcuGeometry(parsed.width, parsed.height, parsed.components);
  const grid = allocateGrid(geometry);
  const decoding = decodeTables(parsed);
  const decoded = decodeScan(
    bytes,
    parsed.dataOffset,
    geometry,
    decoding.dc,
    decoding.ac,
    parsed.restartInterval,
    grid,
  );
  checkTrailer(bytes, decoded.end);
  const padding: Padding = { bit: decoded.padBit ?? 1, fullByte: decoded.padFullByte ?? false };
  const encoding = encodeTables(parsed);
  const original = bytes.subarray(parsed.dataOffset, decoded.end);
  const rebuilt = encodeScan(
    grid,
    geometry,
    encoding.dc,
    encoding.ac,
    parsed.restartInterval,
    padding,
    undefined,
    original.length + 1024,
  );
  const at = firstDifference(original, rebuilt);
  if (at >= 0) {
    throw new JpegUnsupportedError(
      `re-encoding the entropy-coded data differs from the file at byte ${parsed.dataOffset + at} ` +
        `(${rebuilt.length} bytes rebuilt, ${original.length} in the file): ` +
        "its encoder made choices ours does not reproduce",
    );
  }
  return { bytes, parsed, geometry, grid, padding, scanEnd: decoded.end };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** After the scan we accept anything up to EOI except what would hold more image data. */
function checkTrailer(bytes: Uint8Array, start: number): void {
  let pos = start;
  while (pos + 1 < bytes.length && bytes[pos] === 0xff) {
    let markerAt = pos;
    while (bytes[markerAt + 1] === 0xff) markerAt++;
    const marker = bytes[markerAt + 1];
    if (marker === undefined || marker === 0xd9) return;
    if (marker === 0xda)
      throw new JpegUnsupportedError("more than one scan (non-interleaved or multi-scan file)");
    if (marker === 0xdc) throw new JpegUnsupportedError("DNL marker after the scan");
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos = markerAt + 2;
      continue;
    }
    pos = markerAt + 2 + (((bytes[markerAt + 2] ?? 0) << 8) | (bytes[markerAt + 3] ?? 0));
  }
}
