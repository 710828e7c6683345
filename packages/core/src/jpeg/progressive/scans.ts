import { JpegInvalidError, JpegTooManyScansError, JpegUnsupportedError } from "../errors.js";
import type { McuGeometry } from "../geometry.js";
import { parseDht, parseScanHeader } from "../parse.js";
import type { HuffmanSpec, ParsedJpeg, ScanHeader } from "../parse.js";

/** More scans than any encoder's script writes (libjpeg's have 6 to 10): each costs a pass over the image. */
export const MAX_PROGRESSIVE_SCANS = 100;

/** One scan of a progressive JPEG: what it codes, with the tables and restart interval in effect. */
export interface ScanPlan {
  readonly header: ScanHeader;
  readonly restartInterval: number;
  /** Per scan component: its DC table (DC first scans) or AC table (AC scans); undefined if unused. */
  readonly tables: readonly (HuffmanSpec | undefined)[];
  /** Grid block index of each block the scan codes, in coding order. */
  readonly blocks: Int32Array;
  /** Scan component of each block of an MCU (one entry for a non-interleaved scan). */
  readonly mcuComponents: Uint8Array;
}

export type ScanKind = "dcFirst" | "dcRefine" | "acFirst" | "acRefine";

export function scanKind(header: ScanHeader): ScanKind {
  if (header.ss === 0) return header.ah === 0 ? "dcFirst" : "dcRefine";
  return header.ah === 0 ? "acFirst" : "acRefine";
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/**
 * The grid blocks a scan codes, in order. An interleaved scan goes MCU by MCU over the frame's MCU
 * grid; a one-component scan goes block by block over that component's own block grid, which
 * leaves out the blocks of the MCU padding.
 */
function scanBlocks(header: ScanHeader, parsed: ParsedJpeg, geometry: McuGeometry): Int32Array {
  const { components } = parsed;
  const single = components.length === 1;
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const offsets: number[] = [];
  components.reduce((offset, c) => (offsets.push(offset), offset + c.h * c.v), 0);
  const { mcusX, mcusY, blocksPerMcu } = geometry;
  const block = (c: number, by: number, bx: number): number => {
    if (single) return by * mcusX + bx;
    const { h, v } = components[c] as { h: number; v: number };
    const mcu = Math.floor(by / v) * mcusX + Math.floor(bx / h);
    return mcu * blocksPerMcu + (offsets[c] as number) + (by % v) * h + (bx % h);
  };
  if (header.components.length === 1) {
    const c = (header.components[0] as { frameIndex: number }).frameIndex;
    const { h, v } = single ? { h: 1, v: 1 } : (components[c] as { h: number; v: number });
    const across = Math.ceil(Math.ceil((parsed.width * h) / (single ? 1 : hMax)) / 8);
    const down = Math.ceil(Math.ceil((parsed.height * v) / (single ? 1 : vMax)) / 8);
    const out = new Int32Array(across * down);
    for (let by = 0, n = 0; by < down; by++) for (let bx = 0; bx < across; bx++) out[n++] = block(c, by, bx);
    return out;
  }
  const out: number[] = [];
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      for (const { frameIndex: c } of header.components) {
        const { h, v } = components[c] as { h: number; v: number };
        for (let y = 0; y < v; y++) for (let x = 0; x < h; x++) out.push(block(c, my * v + y, mx * h + x));
      }
    }
  }
  return Int32Array.from(out);
}

function mcuComponents(header: ScanHeader, parsed: ParsedJpeg): Uint8Array {
  if (header.components.length === 1) return new Uint8Array(1);
  const out: number[] = [];
  header.components.forEach(({ frameIndex }, i) => {
    const { h, v } = parsed.components[frameIndex] as { h: number; v: number };
    for (let n = 0; n < h * v; n++) out.push(i);
  });
  return Uint8Array.from(out);
}

/** Table and restart state carried from one scan to the next. */
interface State {
  readonly dc: (HuffmanSpec | undefined)[];
  readonly ac: (HuffmanSpec | undefined)[];
  restartInterval: number;
  /** Per component and coefficient: the Al of the last scan that coded it, -1 before any. */
  readonly approximation: Int8Array[];
}

/**
 * Reads the segments a scan's `head` holds (DHT, DRI, COM, APPn), ending with its SOS segment, and
 * returns that scan's header. Other tables (DQT) between scans are not supported.
 */
function readHead(head: Uint8Array, parsed: ParsedJpeg, state: State): ScanHeader {
  let pos = 0;
  for (;;) {
    if (head[pos] !== 0xff || pos + 4 > head.length) {
      throw new JpegInvalidError("expected a marker segment between two scans");
    }
    const marker = head[pos + 1] ?? 0;
    const start = pos + 4;
    const end = pos + 2 + u16(head, pos + 2);
    if (end > head.length || end < start) throw new JpegInvalidError("a segment between two scans overruns");
    if (marker === 0xda) {
      if (end !== head.length) throw new JpegInvalidError("bytes after an SOS segment");
      return parseScanHeader(head, start, end, parsed.components);
    }
    if (marker === 0xc4) parseDht(head, start, end, state.dc, state.ac);
    else if (marker === 0xdd) {
      if (end - start !== 2) throw new JpegInvalidError("DRI segment of wrong length");
      state.restartInterval = u16(head, start);
    } else if (marker === 0xdb) throw new JpegUnsupportedError("quantization tables redefined between scans");
    else if (marker !== 0xfe && (marker < 0xe0 || marker > 0xef)) {
      throw new JpegInvalidError(`marker 0xff${marker.toString(16)} between two scans`);
    }
    pos = end;
  }
}

/** The progression rules of ITU T.81 G.1.1.1: each refinement follows its first scan, bit by bit. */
function checkProgression(header: ScanHeader, state: State, parsed: ParsedJpeg, index: number): void {
  const { ss, se, ah, al, components } = header;
  const where = `scan ${index + 1}`;
  if (ss === 0 && se !== 0) throw new JpegInvalidError(`${where} mixes DC and AC coefficients`);
  if (ss > se || se > 63) throw new JpegInvalidError(`${where} has spectral selection ${ss}..${se}`);
  if (ss > 0 && components.length !== 1) throw new JpegInvalidError(`${where} interleaves AC coefficients`);
  if (al > 13 || ah > 13 || (ah !== 0 && ah !== al + 1)) {
    throw new JpegInvalidError(`${where} has successive approximation Ah=${ah} Al=${al}`);
  }
  if (components.length > 1) {
    const blocks = components.reduce((sum, s) => {
      const c = parsed.components[s.frameIndex] as { h: number; v: number };
      return sum + c.h * c.v;
    }, 0);
    if (blocks > 10) throw new JpegInvalidError(`${where} has ${blocks} blocks per MCU (more than 10)`);
  }
  for (const { frameIndex } of components) {
    const coded = state.approximation[frameIndex] as Int8Array;
    if (ss > 0 && coded[0] === -1) throw new JpegInvalidError(`${where} codes AC coefficients before DC`);
    for (let k = ss; k <= se; k++) {
      const previous = coded[k] as number;
      if (ah === 0 && previous !== -1)
        throw new JpegInvalidError(`${where} codes coefficient ${k} a second time`);
      if (ah !== 0 && previous === -1) {
        throw new JpegInvalidError(`${where} refines coefficient ${k} before its first scan`);
      }
      if (ah !== 0 && previous !== ah) throw new JpegInvalidError(`${where} refines bit ${al} out of order`);
      coded[k] = al;
    }
  }
}

/**
 * The plan of every scan from their heads: `heads[0]` the first SOS segment, each later one the
 * bytes between the previous scan's entropy-coded data and the end of its own SOS segment.
 */
export function planScans(
  parsed: ParsedJpeg,
  geometry: McuGeometry,
  heads: readonly Uint8Array[],
): ScanPlan[] {
  if (heads.length > MAX_PROGRESSIVE_SCANS)
    throw new JpegTooManyScansError(heads.length, MAX_PROGRESSIVE_SCANS);
  const state: State = {
    dc: [...parsed.dc],
    ac: [...parsed.ac],
    restartInterval: parsed.restartInterval,
    approximation: parsed.components.map(() => new Int8Array(64).fill(-1)),
  };
  return heads.map((head, index) => {
    const header = readHead(head, parsed, state);
    checkProgression(header, state, parsed, index);
    const kind = scanKind(header);
    const tables = header.components.map((s) => {
      if (kind === "dcRefine") return undefined;
      const spec = kind === "dcFirst" ? state.dc[s.td] : state.ac[s.ta];
      if (spec === undefined) {
        throw new JpegInvalidError(`scan ${index + 1} uses an undefined Huffman table`);
      }
      return spec;
    });
    return {
      header,
      restartInterval: state.restartInterval,
      tables,
      blocks: scanBlocks(header, parsed, geometry),
      mcuComponents: mcuComponents(header, parsed),
    };
  });
}

/** Where a scan's entropy-coded data ends: at the first marker other than a stuffed byte or RSTn. */
export function entropyEnd(bytes: Uint8Array, start: number): number {
  let i = start;
  for (;;) {
    i = bytes.indexOf(0xff, i);
    if (i < 0 || i + 1 >= bytes.length) throw new JpegInvalidError("the file ends inside a scan (truncated)");
    const next = bytes[i + 1] as number;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) i += 2;
    else if (next === 0xff) i += 1;
    else return i;
  }
}

/** A progressive file cut at its scans: the heads planScans reads, each scan's data, and the trailer's start. */
export interface ScanParts {
  readonly heads: Uint8Array[];
  readonly data: { readonly start: number; readonly end: number }[];
  readonly trailerStart: number;
}

/** Cuts a progressive file (parsed up to its first SOS) into its scans, up to EOI. */
export function cutScans(bytes: Uint8Array, parsed: ParsedJpeg): ScanParts {
  const heads: Uint8Array[] = [bytes.subarray(parsed.sosOffset, parsed.dataOffset)];
  const data: { start: number; end: number }[] = [];
  let start = parsed.dataOffset;
  for (;;) {
    const end = entropyEnd(bytes, start);
    data.push({ start, end });
    // The segments up to the next SOS belong to the next scan's head; EOI ends the image.
    let pos = end;
    for (;;) {
      if (pos + 1 >= bytes.length || bytes[pos] !== 0xff) {
        throw new JpegInvalidError(`expected a marker at byte ${pos} after a scan (truncated?)`);
      }
      const marker = bytes[pos + 1] as number;
      if (marker === 0xd9) return { heads, data, trailerStart: end };
      if (heads.length + 1 > MAX_PROGRESSIVE_SCANS) {
        throw new JpegTooManyScansError(heads.length + 1, MAX_PROGRESSIVE_SCANS);
      }
      const segmentEnd = pos + 2 + u16(bytes, pos + 2);
      if (pos + 4 > bytes.length || segmentEnd > bytes.length || segmentEnd < pos + 4) {
        throw new JpegInvalidError(
          `segment 0xff${marker.toString(16)} at byte ${pos} overruns the file (truncated?)`,
        );
      }
      pos = segmentEnd;
      if (marker === 0xda) break;
    }
    heads.push(bytes.subarray(end, pos));
    start = pos;
  }
}
