import { decodeTables, encodeTables } from "./analyse.js";
import { allocateGrid, ScanDecoder } from "./decode.js";
import type { CoefficientGrid } from "./decode.js";
import { ScanEncoder } from "./encode.js";
import { JpegFragmentError, JpegInvalidError, JpegLayoutError, JpegUnsupportedError } from "./errors.js";
import type { FragmentGeometry, JpegLimits } from "./geometry.js";
import { resolveLayout } from "./layout.js";
import type { JpegLayout, ResolvedLayout } from "./layout.js";
import { parseJpegHeader } from "./parse.js";
import type { ParsedJpeg } from "./parse.js";
import { writeProgressive } from "./progressive/index.js";
import { fragmentMcuOrder } from "./geometry.js";

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

/** One fragment's scan, read MCU row by MCU row; errors name the fragment. */
class FragmentReader {
  readonly #decoder: ScanDecoder;
  readonly #fragment: FragmentGeometry;
  /** Where the fragment's MCUs of a row go in a row of the whole image: column j*kw + b. */
  readonly #columns: Int32Array;

  constructor(bytes: Uint8Array, resolved: ResolvedLayout, fragment: FragmentGeometry) {
    const parsed = checkFragment(bytes, resolved, fragment);
    const tables = decodeTables(parsed);
    const total = fragment.mcusX * fragment.mcusY;
    const { geometry, kernel } = resolved;
    this.#fragment = fragment;
    this.#columns = Int32Array.from({ length: fragment.mcusX }, (_, j) => j * kernel.width + fragment.b);
    this.#decoder = this.#named(
      () =>
        new ScanDecoder(
          bytes,
          parsed.dataOffset,
          geometry,
          tables.dc,
          tables.ac,
          parsed.restartInterval,
          total,
        ),
    );
  }

  /** Decodes the fragment's next MCU row into its columns of `row`. */
  readRow(row: CoefficientGrid): void {
    this.#named(() => this.#decoder.decode(this.#fragment.mcusX, row, this.#columns));
  }

  /** Reads the rows not read yet (into `scratch`) and checks how the scan ends. */
  finish(scratch: CoefficientGrid): void {
    const left = this.#fragment.mcusY - this.#decoder.decoded / this.#fragment.mcusX;
    for (let i = 0; i < left; i++) this.readRow(scratch);
    this.#named(() => this.#decoder.finish());
  }

  #named<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof JpegInvalidError || error instanceof JpegUnsupportedError) {
        throw new JpegFragmentError(this.#fragment.index, error.message);
      }
      throw error;
    }
  }
}

/**
 * Rebuilds the original JPEG from all its fragments and the layout record: the coefficients are
 * put back and re-encoded with the original header, tables, restart markers and padding, so the
 * result is byte-identical to the file that was split. It works one MCU row at a time (the row's
 * MCUs come from kw fragments), so it never holds the whole image's coefficients.
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
  if (resolved.scanHeads !== undefined) return mergeProgressive(fragments, resolved, resolved.scanHeads);
  const readers = resolved.fragments.map(
    (fragment, i) => new FragmentReader(fragments[i] as Uint8Array, resolved, fragment),
  );
  const { geometry, head, trailer } = resolved;
  const { height: kh, width: kw } = resolved.kernel;
  const tables = encodeTables(resolved.parsed);
  const scanBytes = resolved.layout.byteLength - head.length - trailer.length;
  const encoder = new ScanEncoder(
    geometry,
    tables.dc,
    tables.ac,
    resolved.parsed.restartInterval,
    { bit: resolved.layout.padBit, fullByte: resolved.layout.padFullByte },
    scanBytes + 1024,
  );
  const row = allocateGrid({ ...geometry, mcusY: 1 });
  try {
    for (let r = 0; r < geometry.mcusY; r++) {
      row.coef.fill(0);
      const a = r % kh;
      for (let b = 0; b < kw; b++) (readers[a * kw + b] as FragmentReader).readRow(row);
      encoder.encode(geometry.mcusX, row);
    }
  } catch (error) {
    // The original tables cover every symbol of the original: fragments that need others are not its own,
    // unless one of them does not decode at all, which says which.
    if (!(error instanceof JpegInvalidError)) throw error;
    for (const reader of readers) reader.finish(row);
    throw new JpegFragmentError(undefined, `not from this image: ${error.message}`);
  }
  for (const reader of readers) reader.finish(row);
  const scan = encoder.finish();
  if (scan.length !== scanBytes) {
    throw new JpegFragmentError(undefined, `merged scan has ${scan.length} bytes, the original ${scanBytes}`);
  }
  const out = new Uint8Array(head.length + scan.length + trailer.length);
  out.set(head);
  out.set(scan, head.length);
  out.set(trailer, head.length + scan.length);
  return out;
}

/** Decodes a baseline fragment into its MCUs of the whole image's grid; errors name the fragment. */
function placeFragment(
  bytes: Uint8Array,
  resolved: ResolvedLayout,
  fragment: FragmentGeometry,
  grid: CoefficientGrid,
) {
  const parsed = checkFragment(bytes, resolved, fragment);
  try {
    const tables = decodeTables(parsed);
    const order = fragmentMcuOrder(resolved.geometry, resolved.kernel, fragment);
    const decoder = new ScanDecoder(
      bytes,
      parsed.dataOffset,
      resolved.geometry,
      tables.dc,
      tables.ac,
      parsed.restartInterval,
      order.length,
    );
    decoder.decode(order.length, grid, order);
    decoder.finish();
  } catch (error) {
    if (error instanceof JpegInvalidError || error instanceof JpegUnsupportedError) {
      throw new JpegFragmentError(fragment.index, error.message);
    }
    throw error;
  }
}

/**
 * A progressive original: every fragment's coefficients into one grid of the whole image, then its
 * scans written again (writeProgressive), checked against the SHA-256 the record holds.
 */
function mergeProgressive(
  fragments: readonly Uint8Array[],
  resolved: ResolvedLayout,
  heads: readonly Uint8Array[],
): Uint8Array {
  const grid = allocateGrid(resolved.geometry);
  resolved.fragments.forEach((fragment, i) =>
    placeFragment(fragments[i] as Uint8Array, resolved, fragment, grid),
  );
  const { layout, parsed, geometry, head, trailer } = resolved;
  const record = layout.progressive as NonNullable<JpegLayout["progressive"]>;
  let out: Uint8Array | undefined;
  try {
    out = writeProgressive(
      {
        parsed,
        geometry,
        header: head.subarray(0, parsed.sosOffset),
        heads,
        trailer,
        sha256: record.sha256,
        byteLength: layout.byteLength,
      },
      grid,
    );
  } catch (error) {
    if (!(error instanceof JpegInvalidError)) throw error;
    throw new JpegFragmentError(undefined, `not from this image: ${error.message}`);
  }
  if (out === undefined)
    throw new JpegFragmentError(undefined, "not from this image: the rebuilt file's SHA-256 differs");
  return out;
}
