import { sha256Hex } from "@disp/protocol";

import { allocateGrid } from "../decode.js";
import type { CoefficientGrid } from "../decode.js";
import { JpegInvalidError, JpegUnsupportedError } from "../errors.js";
import { checkSize, mcuGeometry } from "../geometry.js";
import type { JpegLimits, McuGeometry } from "../geometry.js";
import type { ParsedJpeg } from "../parse.js";
import { decodeProgressiveScan } from "./decode.js";
import { encodeProgressiveScan } from "./encode.js";
import { cutScans, planScans } from "./scans.js";
import type { ScanPlan } from "./scans.js";

/** What a rebuild of a progressive file from its coefficients gives back. */
export type ProgressiveFidelity = "fileExact" | "contentExact";

/** A progressive JPEG decoded to coefficients, with the file its coefficients were checked to rebuild. */
export interface ProgressiveJpeg {
  readonly parsed: ParsedJpeg;
  readonly geometry: McuGeometry;
  readonly grid: CoefficientGrid;
  /** Each scan's head (scans.ts): the first SOS segment, then what lies between scans, SOS included. */
  readonly heads: readonly Uint8Array[];
  /** The bytes after the last scan's entropy-coded data: EOI and anything after it. */
  readonly trailer: Uint8Array;
  /** Total entropy-coded bytes of the scans, for sizing buffers. */
  readonly scanBytes: number;
  readonly fidelity: ProgressiveFidelity;
  /** The file writeProgressive gives back from these coefficients: `bytes` itself when fileExact. */
  readonly rebuilt: Uint8Array;
}

/** Sets each block's `last` (its last non-zero AC coefficient), which the sequential encoder needs. */
function markLast(grid: CoefficientGrid): void {
  const { coef, last } = grid;
  for (let block = 0; block < last.length; block++) {
    const off = block << 6;
    let k = 63;
    while (k > 0 && coef[off + k] === 0) k--;
    last[block] = k;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Every scan written again from the coefficients; a code the file's tables lack is not ours to write. */
function encodeScans(grid: CoefficientGrid, plans: readonly ScanPlan[], capacity: number): Uint8Array[] {
  try {
    return plans.map((plan) => encodeProgressiveScan(grid, plan, capacity));
  } catch (error) {
    if (!(error instanceof JpegInvalidError)) throw error;
    throw new JpegUnsupportedError(
      `re-encoding its scans needs codes its Huffman tables lack: ${error.message}`,
    );
  }
}

function assemble(
  header: Uint8Array,
  heads: readonly Uint8Array[],
  scans: readonly Uint8Array[],
  trailer: Uint8Array,
) {
  const size = [header, ...heads, ...scans, trailer].reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  const put = (part: Uint8Array): void => {
    out.set(part, at);
    at += part.length;
  };
  put(header);
  heads.forEach((head, i) => {
    put(head);
    put(scans[i] as Uint8Array);
  });
  put(trailer);
  return out;
}

/**
 * Decodes every scan of a progressive JPEG (spectral selection and successive approximation, DC and
 * AC, first and refinement scans, end-of-band runs, restart intervals) into its coefficients, then
 * writes the scans again with the file's own script and tables and compares: equal bytes make it
 * fileExact; otherwise the re-encoded file is decoded again and must hold the same coefficients
 * (contentExact). Throws JpegInvalidError for a malformed file, JpegUnsupportedError when neither
 * holds, JpegTooLargeError / JpegTooManyScansError past the limits, before decoding.
 */
export function analyseProgressive(
  bytes: Uint8Array,
  parsed: ParsedJpeg,
  limits?: JpegLimits,
): ProgressiveJpeg {
  checkSize(parsed.width, parsed.height, limits);
  const geometry = mcuGeometry(parsed.width, parsed.height, parsed.components);
  const parts = cutScans(bytes, parsed);
  const plans = planScans(parsed, geometry, parts.heads);
  const grid = allocateGrid(geometry);
  plans.forEach((plan, i) =>
    decodeProgressiveScan(bytes, (parts.data[i] as { start: number }).start, plan, grid),
  );
  markLast(grid);
  const scanBytes = parts.data.reduce((sum, d) => sum + d.end - d.start, 0);
  const scans = encodeScans(grid, plans, scanBytes + 1024);
  const base = {
    parsed,
    geometry,
    grid,
    heads: parts.heads,
    trailer: bytes.subarray(parts.trailerStart),
    scanBytes,
  };
  if (scans.every((scan, i) => equal(scan, bytes.subarray(parts.data[i]?.start, parts.data[i]?.end)))) {
    return { ...base, fidelity: "fileExact", rebuilt: bytes };
  }
  const check = allocateGrid(geometry);
  plans.forEach((plan, i) => decodeProgressiveScan(scans[i] as Uint8Array, 0, plan, check));
  if (!check.coef.every((value, i) => value === grid.coef[i])) {
    throw new JpegUnsupportedError("its scans written again do not decode to the same coefficients");
  }
  const header = bytes.subarray(0, parsed.sosOffset);
  return { ...base, fidelity: "contentExact", rebuilt: assemble(header, parts.heads, scans, base.trailer) };
}

/** What writeProgressive needs besides the coefficients: the file around the scans' data. */
export interface ProgressiveFrame {
  readonly parsed: ParsedJpeg;
  readonly geometry: McuGeometry;
  /** The original bytes before the first SOS marker. */
  readonly header: Uint8Array;
  readonly heads: readonly Uint8Array[];
  readonly trailer: Uint8Array;
  /** The SHA-256 (hex) the written file must have. */
  readonly sha256: string;
  readonly byteLength: number;
}

/**
 * The progressive file again from the coefficients of every block: the original header, scan
 * heads and trailer around each scan written with its own tables. Throws JpegInvalidError when the
 * coefficients need a code the tables lack, and returns undefined when the file is not the one
 * recorded (its SHA-256 differs): the coefficients are not that image's.
 */
export function writeProgressive(frame: ProgressiveFrame, grid: CoefficientGrid): Uint8Array | undefined {
  const plans = planScans(frame.parsed, frame.geometry, frame.heads);
  const scans = plans.map((plan) => encodeProgressiveScan(grid, plan, frame.byteLength + 1024));
  const out = assemble(frame.header, frame.heads, scans, frame.trailer);
  return sha256Hex(out) === frame.sha256 ? out : undefined;
}
