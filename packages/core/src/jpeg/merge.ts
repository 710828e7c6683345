import { decodeTables, encodeTables } from "./analyse.js";
import { allocateGrid, decodeScan } from "./decode.js";
import type { CoefficientGrid } from "./decode.js";
import { encodeScan } from "./encode.js";
import { JpegFragmentError, JpegInvalidError, JpegLayoutError, JpegUnsupportedError } from "./errors.js";
import { fragmentMcuOrder } from "./geometry.js";
import type { FragmentGeometry, JpegLimits } from "./geometry.js";
import { resolveLayout } from "./layout.js";
import type { JpegLayout, ResolvedLayout } from "./layout.js";
import { parseJpegHeader } from "./parse.js";
import type { ParsedJpeg } from "./parse.js";

/** Parses a fragment and checks it has the size and components of its slot in the layout. */
export function checkFragment(
  bytes: Uint8Array,
  resolved: ResolvedLayout,
  fragment: FragmentGeometry,
): ParsedJpeg {
  let parsed: ParsedJpeg;
  try {
    parsed = parseJpegHeader(bytes);
  } catch (error) {
    if (error instanceof JpegInvalidError || error instanceof JpegUnsupportedError) {
      throw new JpegFragmentError(fragment.index, error.message);
    }
    throw error;
  }
  if (parsed.width !== fragment.width || parsed.height !== fragment.height) {
    throw new JpegFragmentError(
      fragment.index,
      `is ${parsed.width}x${parsed.height}, the layout expects ${fragment.width}x${fragment.height}`,
    );
  }
  const expected = resolved.parsed.components;
  const same =
    parsed.components.length === expected.length &&
    parsed.components.every(
      (c, i) => c.id === expected[i]?.id && c.h === expected[i].h && c.v === expected[i].v,
    );
  if (!same)
    throw new JpegFragmentError(fragment.index, "its components or sampling differ from the original");
  return parsed;
}

function decodeFragmentInto(
  grid: CoefficientGrid,
  bytes: Uint8Array,
  resolved: ResolvedLayout,
  fragment: FragmentGeometry,
): void {
  const parsed = checkFragment(bytes, resolved, fragment);
  const tables = decodeTables(parsed);
  const order = fragmentMcuOrder(resolved.geometry, resolved.layout.kernel, fragment);
  try {
    decodeScan(
      bytes,
      parsed.dataOffset,
      resolved.geometry,
      tables.dc,
      tables.ac,
      parsed.restartInterval,
      grid,
      order,
    );
  } catch (error) {
    if (error instanceof JpegInvalidError || error instanceof JpegUnsupportedError) {
      throw new JpegFragmentError(fragment.index, error.message);
    }
    throw error;
  }
}

/**
 * Rebuilds the original JPEG from all its fragments and the layout record: the coefficient grid is
 * put back and re-encoded with the original header, tables, restart markers and padding, so the
 * result is byte-identical to the file that was split.
 */
export function mergeJpeg(
  fragments: readonly Uint8Array[],
  layout: JpegLayout,
  limits?: JpegLimits,
): Uint8Array {
  const resolved = resolveLayout(layout, limits);
  if (fragments.length !== resolved.fragments.length) {
    throw new JpegLayoutError(`expects ${resolved.fragments.length} fragments, got ${fragments.length}`);
  }
  const grid = allocateGrid(resolved.geometry);
  resolved.fragments.forEach((fragment, i) => {
    decodeFragmentInto(grid, fragments[i] as Uint8Array, resolved, fragment);
  });
  const tables = encodeTables(resolved.parsed);
  const { head, trailer } = resolved;
  const scanBytes = resolved.layout.byteLength - head.length - trailer.length;
  let scan: Uint8Array;
  try {
    scan = encodeScan(
      grid,
      resolved.geometry,
      tables.dc,
      tables.ac,
      resolved.parsed.restartInterval,
      { bit: resolved.layout.padBit, fullByte: resolved.layout.padFullByte },
      undefined,
      scanBytes + 1024,
    );
  } catch (error) {
    // The original tables cover every symbol of the original: fragments that need others are not its own.
    if (error instanceof JpegInvalidError)
      throw new JpegFragmentError(undefined, `not from this image: ${error.message}`);
    throw error;
  }
  if (scan.length !== scanBytes) {
    throw new JpegFragmentError(undefined, `merged scan has ${scan.length} bytes, the original ${scanBytes}`);
  }
  const out = new Uint8Array(head.length + scan.length + trailer.length);
  out.set(head);
  out.set(scan, head.length);
  out.set(trailer, head.length + scan.length);
  return out;
}
