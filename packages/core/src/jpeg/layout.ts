import type { Kernel } from "@disp/protocol";
import { base64pad } from "multiformats/bases/base64";

import { JpegInvalidError, JpegLayoutError, JpegUnsupportedError } from "./errors.js";
import { checkSize, fragmentGeometries, mcuGeometry } from "./geometry.js";
import type { FragmentGeometry, JpegLimits, McuGeometry } from "./geometry.js";
import { parseJpegHeader } from "./parse.js";
import type { ParsedJpeg } from "./parse.js";

export const JPEG_LAYOUT_SCHEMA = "disp/jpeg-layout@1";

/**
 * What mergeJpeg needs besides the fragments to rebuild the original file byte for byte. Plain JSON
 * (binary parts in padded base64) so it can live in the manifest. The header, SOS segment and
 * trailer are the original bytes; the numbers restate what they imply, for readers and checks.
 */
export interface JpegLayout {
  readonly schema: typeof JPEG_LAYOUT_SCHEMA;
  readonly width: number;
  readonly height: number;
  /** The kernel in MCUs, under this record's own field names (kh rows, kw columns). */
  readonly kernel: { readonly kh: number; readonly kw: number };
  /** Frame components in order, with their sampling factors. */
  readonly components: readonly { readonly id: number; readonly h: number; readonly v: number }[];
  readonly mcuWidth: number;
  readonly mcuHeight: number;
  readonly mcusX: number;
  readonly mcusY: number;
  /** MCUs per restart interval, 0 for none. */
  readonly restartInterval: number;
  /** Value of the bits that pad the entropy-coded data to a byte before each RST and at the end. */
  readonly padBit: 0 | 1;
  /** Whether an interval ending on a byte boundary still gets a whole byte of padding (jpeg-js does). */
  readonly padFullByte: boolean;
  /** Size of the original file. */
  readonly byteLength: number;
  /** Pixel size of each fragment JPEG, by fragment index. */
  readonly fragments: readonly { readonly width: number; readonly height: number }[];
  /** Base64 of the original bytes from SOI up to the SOS marker: APPn (EXIF, ICC), DQT, SOF, DHT, DRI, COM. */
  readonly header: string;
  /** Base64 of the original SOS segment, marker included. */
  readonly sos: string;
  /** Base64 of the original bytes after the entropy-coded data: EOI and anything that follows it. */
  readonly trailer: string;
  /** Progressive files only (SOF2 in `header`): how merge writes their scans again. */
  readonly progressive?: JpegProgressiveRecord;
}

/**
 * The scans of a progressive file after the first (whose SOS segment is `sos`), and what merge
 * gives back. The scan script and its tables are the original bytes: each scan's SOS segment names
 * its components, spectral selection and successive approximation, the DHT and DRI before it its
 * tables and restart interval.
 */
export interface JpegProgressiveRecord {
  /**
   * Base64, per scan after the first: the original bytes from the end of the previous scan's
   * entropy-coded data through this scan's SOS segment (DHT, DRI, COM... then SOS).
   */
  readonly scans: readonly string[];
  /** "fileExact": merge gives back the original file; "contentExact": the same coefficients, scan script and tables, re-encoded. */
  readonly fidelity: "fileExact" | "contentExact";
  /** SHA-256 (0x hex) of the file merge gives back: the original's when fileExact. */
  readonly sha256: string;
}

export function toBase64(bytes: Uint8Array): string {
  return base64pad.baseEncode(bytes);
}

export function fromBase64(text: string, field: string): Uint8Array {
  try {
    return base64pad.baseDecode(text);
  } catch {
    throw new JpegLayoutError(`${field} is not padded base64`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function natural(record: Record<string, unknown>, key: string, min = 0): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new JpegLayoutError(`${key} must be an integer >= ${min}`);
  }
  return value;
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== "string") throw new JpegLayoutError(`${key} must be a string`);
  return value;
}

/** Checks the shape of a layout record read back from JSON (types only; see resolveLayout). */
export function parseJpegLayout(value: unknown): JpegLayout {
  if (!isRecord(value)) throw new JpegLayoutError("not an object");
  if (value.schema !== JPEG_LAYOUT_SCHEMA)
    throw new JpegLayoutError(`schema must be "${JPEG_LAYOUT_SCHEMA}"`);
  const kernel = value.kernel;
  if (!isRecord(kernel)) throw new JpegLayoutError("kernel must be an object");
  const components = value.components;
  const fragments = value.fragments;
  if (!Array.isArray(components) || !components.every(isRecord)) {
    throw new JpegLayoutError("components must be an array of objects");
  }
  if (!Array.isArray(fragments) || !fragments.every(isRecord)) {
    throw new JpegLayoutError("fragments must be an array of objects");
  }
  const padBit = value.padBit;
  if (padBit !== 0 && padBit !== 1) throw new JpegLayoutError("padBit must be 0 or 1");
  const padFullByte = value.padFullByte;
  if (typeof padFullByte !== "boolean") throw new JpegLayoutError("padFullByte must be a boolean");
  return {
    schema: JPEG_LAYOUT_SCHEMA,
    width: natural(value, "width", 1),
    height: natural(value, "height", 1),
    kernel: { kh: natural(kernel, "kh", 1), kw: natural(kernel, "kw", 1) },
    components: components.map((c) => ({
      id: natural(c, "id"),
      h: natural(c, "h", 1),
      v: natural(c, "v", 1),
    })),
    mcuWidth: natural(value, "mcuWidth", 8),
    mcuHeight: natural(value, "mcuHeight", 8),
    mcusX: natural(value, "mcusX", 1),
    mcusY: natural(value, "mcusY", 1),
    restartInterval: natural(value, "restartInterval"),
    padBit,
    padFullByte,
    byteLength: natural(value, "byteLength", 4),
    fragments: fragments.map((f) => ({ width: natural(f, "width", 1), height: natural(f, "height", 1) })),
    header: text(value, "header"),
    sos: text(value, "sos"),
    trailer: text(value, "trailer"),
    ...(value.progressive === undefined ? {} : { progressive: parseProgressive(value.progressive) }),
  };
}

function parseProgressive(value: unknown): JpegProgressiveRecord {
  if (!isRecord(value)) throw new JpegLayoutError("progressive must be an object");
  const { scans, fidelity } = value;
  if (!Array.isArray(scans) || !scans.every((s): s is string => typeof s === "string")) {
    throw new JpegLayoutError("progressive.scans must be an array of strings");
  }
  if (fidelity !== "fileExact" && fidelity !== "contentExact") {
    throw new JpegLayoutError('progressive.fidelity must be "fileExact" or "contentExact"');
  }
  const sha256 = text(value, "sha256");
  if (!/^0x[0-9a-f]{64}$/.test(sha256))
    throw new JpegLayoutError("progressive.sha256 must be 0x and 64 hex digits");
  return { scans: [...scans], fidelity, sha256 };
}

/** A layout with its binary parts decoded and checked against the header they carry. */
export interface ResolvedLayout {
  readonly layout: JpegLayout;
  /** Header and SOS segment, back to back: the file up to its entropy-coded data. */
  readonly head: Uint8Array;
  readonly trailer: Uint8Array;
  readonly parsed: ParsedJpeg;
  readonly geometry: McuGeometry;
  readonly kernel: Kernel;
  readonly fragments: readonly FragmentGeometry[];
  /** Progressive files: every scan's head (the first SOS segment, then the record's scans). */
  readonly scanHeads: readonly Uint8Array[] | undefined;
}

export function resolveLayout(input: JpegLayout, limits?: JpegLimits): ResolvedLayout {
  const layout = parseJpegLayout(input);
  checkSize(layout.width, layout.height, limits);
  const header = fromBase64(layout.header, "header");
  const sos = fromBase64(layout.sos, "sos");
  const trailer = fromBase64(layout.trailer, "trailer");
  const head = new Uint8Array(header.length + sos.length);
  head.set(header);
  head.set(sos, header.length);
  let parsed: ParsedJpeg;
  try {
    parsed = parseJpegHeader(head);
  } catch (error) {
    if (error instanceof JpegInvalidError || error instanceof JpegUnsupportedError) {
      throw new JpegLayoutError(`its header does not parse: ${error.message}`);
    }
    throw error;
  }
  const progressive = parsed.sofMarker === 0xc2;
  if (progressive !== (layout.progressive !== undefined)) {
    throw new JpegLayoutError("a progressive header needs a progressive record, and only it");
  }
  const scanHeads = layout.progressive?.scans.map((scan, i) => fromBase64(scan, `progressive.scans[${i}]`));
  if (parsed.sosOffset !== header.length || parsed.dataOffset !== head.length) {
    throw new JpegLayoutError("header must end where the SOS segment starts, and sos hold that segment only");
  }
  const geometry = mcuGeometry(parsed.width, parsed.height, parsed.components);
  const kernel: Kernel = { height: layout.kernel.kh, width: layout.kernel.kw };
  const fragments = fragmentGeometries(geometry, kernel);
  const stated = [layout.width, layout.height, layout.mcuWidth, layout.mcuHeight, layout.mcusX, layout.mcusY];
  const actual = [
    geometry.width,
    geometry.height,
    geometry.mcuWidth,
    geometry.mcuHeight,
    geometry.mcusX,
    geometry.mcusY,
  ];
  const componentsAgree =
    layout.components.length === parsed.components.length &&
    parsed.components.every((c, i) => {
      const stated = layout.components[i];
      return stated?.id === c.id && stated.h === c.h && stated.v === c.v;
    });
  if (
    !componentsAgree ||
    stated.some((value, i) => value !== actual[i]) ||
    layout.restartInterval !== parsed.restartInterval
  ) {
    throw new JpegLayoutError("its geometry or restart interval disagrees with its header");
  }
  if (
    layout.fragments.length !== fragments.length ||
    fragments.some(
      (f, i) => layout.fragments[i]?.width !== f.width || layout.fragments[i]?.height !== f.height,
    )
  ) {
    throw new JpegLayoutError("its fragment sizes disagree with its header and kernel");
  }
  if (layout.byteLength < head.length + trailer.length) throw new JpegLayoutError("byteLength too small");
  return {
    layout,
    head,
    trailer,
    parsed,
    geometry,
    kernel,
    fragments,
    scanHeads: scanHeads === undefined ? undefined : [sos, ...scanHeads],
  };
}
