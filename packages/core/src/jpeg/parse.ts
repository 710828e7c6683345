import { JpegInvalidError, JpegUnsupportedError } from "./errors.js";
import { exifOrientation } from "./exif.js";

/** A Huffman table as DHT carries it: code counts per length 1..16, then the symbols in code order. */
export interface HuffmanSpec {
  readonly counts: Uint8Array;
  readonly symbols: Uint8Array;
}

export interface QuantTable {
  /** 0: 8-bit entries, 1: 16-bit entries (as in the DQT segment). */
  readonly precision: number;
  /** 64 entries in zigzag order, as stored. */
  readonly values: Uint16Array;
}

export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
}

export interface ScanComponent {
  /** Index into `ParsedJpeg.components`. */
  readonly frameIndex: number;
  readonly td: number;
  readonly ta: number;
}

/** The parameters of one SOS segment, before any policy on them. */
export interface ScanHeader {
  readonly components: ScanComponent[];
  /** Spectral selection start and end (zigzag indices), successive approximation high and low bits. */
  readonly ss: number;
  readonly se: number;
  readonly ah: number;
  readonly al: number;
}

/**
 * Everything before the entropy-coded data of the first scan: of a single-scan sequential Huffman
 * JPEG, or of a progressive one (whose later scans progressive/scans.ts reads).
 */
export interface ParsedJpeg {
  /** 0xc0 (baseline), 0xc1 (extended sequential, 8-bit, Huffman) or 0xc2 (progressive, Huffman). */
  readonly sofMarker: number;
  readonly width: number;
  readonly height: number;
  readonly components: readonly FrameComponent[];
  readonly quant: readonly (QuantTable | undefined)[];
  readonly dc: readonly (HuffmanSpec | undefined)[];
  readonly ac: readonly (HuffmanSpec | undefined)[];
  readonly restartInterval: number;
  /** Scan components in scan order (equal to frame order in every sequential file we accept). */
  readonly scan: readonly ScanComponent[];
  /** The first scan's spectral selection and successive approximation (0, 63, 0, 0 when sequential). */
  readonly scanHeader: ScanHeader;
  /** Offset of the SOS marker (FF DA): bytes before it are the header. */
  readonly sosOffset: number;
  /** Offset of the first entropy-coded byte. */
  readonly dataOffset: number;
  /** The Adobe APP14 segment (marker included) when present: it tells viewers the colour transform. */
  readonly adobe: Uint8Array | undefined;
  /** EXIF orientation 1..8 (1 when there is none): the rotation viewers apply to the pixels. */
  readonly orientation: number;
}

const SOF_NAMES: Record<number, string> = {
  0xc3: "lossless (SOF3)",
  0xc5: "differential sequential (SOF5, hierarchical)",
  0xc6: "differential progressive (SOF6, hierarchical)",
  0xc7: "differential lossless (SOF7, hierarchical)",
  0xc9: "arithmetic-coded sequential (SOF9)",
  0xca: "arithmetic-coded progressive (SOF10)",
  0xcb: "arithmetic-coded lossless (SOF11)",
  0xcd: "arithmetic-coded differential sequential (SOF13)",
  0xce: "arithmetic-coded differential progressive (SOF14)",
  0xcf: "arithmetic-coded differential lossless (SOF15)",
};

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/**
 * Reads the header of a JPEG up to its first SOS. Throws JpegUnsupportedError for JPEG kinds the
 * coefficient codec does not handle and JpegInvalidError for malformed files.
 */
export function parseJpegHeader(bytes: Uint8Array): ParsedJpeg {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new JpegInvalidError("missing SOI marker (not a JPEG file)");
  }
  const quant: (QuantTable | undefined)[] = [undefined, undefined, undefined, undefined];
  const dc: (HuffmanSpec | undefined)[] = [undefined, undefined, undefined, undefined];
  const ac: (HuffmanSpec | undefined)[] = [undefined, undefined, undefined, undefined];
  let frame: { sofMarker: number; width: number; height: number; components: FrameComponent[] } | undefined;
  let restartInterval = 0;
  let adobe: Uint8Array | undefined;
  let orientation: number | undefined;
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) throw new JpegInvalidError("no SOS marker before the end of the file");
    if (bytes[pos] !== 0xff) throw new JpegInvalidError(`expected a marker at byte ${pos}`);
    // Any marker may be preceded by 0xFF fill bytes.
    let markerAt = pos;
    while (bytes[markerAt + 1] === 0xff) markerAt++;
    const marker = bytes[markerAt + 1];
    if (marker === undefined) throw new JpegInvalidError("file ends inside a marker");
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos = markerAt + 2; // standalone markers carry no length
      continue;
    }
    if (marker === 0xd9) throw new JpegInvalidError("EOI before any scan");
    if (marker === 0xd8) throw new JpegInvalidError("second SOI marker inside the header");
    const length = u16(bytes, markerAt + 2);
    const start = markerAt + 4;
    const end = markerAt + 2 + length;
    if (length < 2 || end > bytes.length) {
      throw new JpegInvalidError(`segment 0xff${marker.toString(16)} at byte ${markerAt} overruns the file`);
    }
    if (marker === 0xda) {
      if (frame === undefined) throw new JpegInvalidError("SOS before any SOF");
      const scanHeader = parseScanHeader(bytes, start, end, frame.components);
      // A progressive file's scans name their tables as they come (progressive/scans.ts checks them).
      if (frame.sofMarker !== 0xc2) {
        checkSequentialScan(scanHeader, frame.components);
        checkTables(scanHeader.components, dc, ac);
      }
      checkQuant(frame.components, quant);
      return {
        ...frame,
        quant,
        dc,
        ac,
        restartInterval,
        scan: scanHeader.components,
        scanHeader,
        sosOffset: markerAt,
        dataOffset: end,
        adobe,
        orientation: orientation ?? 1,
      };
    }
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame !== undefined) throw new JpegInvalidError("more than one SOF segment");
      frame = parseSof(bytes, marker, start, end);
    } else if (SOF_NAMES[marker] !== undefined) {
      throw new JpegUnsupportedError(`${SOF_NAMES[marker]} JPEG`);
    } else if (marker === 0xc4) {
      parseDht(bytes, start, end, dc, ac);
    } else if (marker === 0xdb) {
      parseDqt(bytes, start, end, quant);
    } else if (marker === 0xdd) {
      if (length !== 4) throw new JpegInvalidError("DRI segment of wrong length");
      restartInterval = u16(bytes, start);
    } else if (marker === 0xcc) {
      throw new JpegUnsupportedError("arithmetic coding conditioning table (DAC)");
    } else if (marker === 0xde || marker === 0xdf) {
      throw new JpegUnsupportedError("hierarchical JPEG (DHP/EXP)");
    } else if (marker === 0xdc) {
      throw new JpegUnsupportedError("DNL marker (height defined after the scan)");
    } else if (marker === 0xe1 && orientation === undefined) {
      orientation = exifOrientation(bytes, start, end);
    } else if (marker === 0xee && end - start >= 5 && isAdobe(bytes, start)) {
      adobe = bytes.slice(markerAt, end);
    }
    pos = end;
  }
}

function isAdobe(bytes: Uint8Array, at: number): boolean {
  return (
    bytes[at] === 0x41 &&
    bytes[at + 1] === 0x64 &&
    bytes[at + 2] === 0x6f &&
    bytes[at + 3] === 0x62 &&
    bytes[at + 4] === 0x65
  );
}

function parseSof(bytes: Uint8Array, sofMarker: number, start: number, end: number) {
  const precision = bytes[start];
  if (precision !== 8) throw new JpegUnsupportedError(`${precision ?? "?"}-bit sample precision`);
  const height = u16(bytes, start + 1);
  const width = u16(bytes, start + 3);
  const count = bytes[start + 5] ?? 0;
  if (end - start !== 6 + 3 * count) throw new JpegInvalidError("SOF segment of wrong length");
  if (height === 0) throw new JpegUnsupportedError("height 0 in SOF (defined later by DNL)");
  if (width === 0) throw new JpegInvalidError("width 0 in SOF");
  if (count < 1 || count > 4) throw new JpegUnsupportedError(`${count} components`);
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + 6 + 3 * i;
    const hv = bytes[at + 1] ?? 0;
    const component = { id: bytes[at] ?? 0, h: hv >> 4, v: hv & 15, tq: bytes[at + 2] ?? 0 };
    if (component.h < 1 || component.h > 4 || component.v < 1 || component.v > 4 || component.tq > 3) {
      throw new JpegInvalidError(`component ${component.id} has bad sampling or table`);
    }
    if (components.some((c) => c.id === component.id)) throw new JpegInvalidError("duplicate component id");
    components.push(component);
  }
  return { sofMarker, width, height, components };
}

/** Reads an SOS segment: its components (known to the frame, each once) and its parameters. */
export function parseScanHeader(
  bytes: Uint8Array,
  start: number,
  end: number,
  components: readonly FrameComponent[],
): ScanHeader {
  const count = bytes[start] ?? 0;
  if (end - start !== 4 + 2 * count) throw new JpegInvalidError("SOS segment of wrong length");
  if (count < 1 || count > 4) throw new JpegInvalidError(`scan of ${count} components`);
  const scan: ScanComponent[] = [];
  for (let i = 0; i < count; i++) {
    const id = bytes[start + 1 + 2 * i];
    const tables = bytes[start + 2 + 2 * i] ?? 0;
    const frameIndex = components.findIndex((c) => c.id === id);
    if (frameIndex < 0) throw new JpegInvalidError(`scan names unknown component ${id ?? "?"}`);
    if (scan.some((s) => s.frameIndex === frameIndex))
      throw new JpegInvalidError("scan names a component twice");
    scan.push({ frameIndex, td: tables >> 4, ta: tables & 15 });
  }
  const ahal = bytes[start + 3 + 2 * count] ?? 0;
  return {
    components: scan,
    ss: bytes[start + 1 + 2 * count] ?? 0,
    se: bytes[start + 2 + 2 * count] ?? 0,
    ah: ahal >> 4,
    al: ahal & 15,
  };
}

/** The one scan of a sequential file we accept: every component, in frame order, all 64 coefficients. */
function checkSequentialScan(header: ScanHeader, components: readonly FrameComponent[]): void {
  const count = header.components.length;
  if (count !== components.length) {
    throw new JpegUnsupportedError(
      `the first scan holds ${count} of ${components.length} components (several non-interleaved scans)`,
    );
  }
  if (header.components.some((s, i) => s.frameIndex !== i)) {
    throw new JpegUnsupportedError("scan lists components in a different order");
  }
  const { ss, se, ah, al } = header;
  if (ss !== 0 || se !== 63 || ah !== 0 || al !== 0) {
    throw new JpegUnsupportedError(`scan parameters Ss=${ss} Se=${se} AhAl=${(ah << 4) | al}`);
  }
  if (count > 1) {
    const blocks = components.reduce((sum, c) => sum + c.h * c.v, 0);
    if (blocks > 10) throw new JpegInvalidError(`${blocks} blocks per MCU (more than 10)`);
  }
}

export function parseDht(
  bytes: Uint8Array,
  start: number,
  end: number,
  dc: (HuffmanSpec | undefined)[],
  ac: (HuffmanSpec | undefined)[],
): void {
  let at = start;
  while (at < end) {
    const tcth = bytes[at] ?? 0;
    const tc = tcth >> 4;
    const th = tcth & 15;
    if (tc > 1 || th > 3) throw new JpegInvalidError(`DHT with class ${tc} id ${th}`);
    const counts = bytes.slice(at + 1, at + 17);
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (at + 17 + total > end || total > 256) throw new JpegInvalidError("DHT segment overruns");
    const spec = { counts, symbols: bytes.slice(at + 17, at + 17 + total) };
    checkHuffmanSpec(spec);
    (tc === 0 ? dc : ac)[th] = spec;
    at += 17 + total;
  }
  if (at !== end) throw new JpegInvalidError("DHT segment of wrong length");
}

/** A table whose counts overflow the code space cannot be decoded. */
function checkHuffmanSpec(spec: HuffmanSpec): void {
  let code = 0;
  for (let length = 1; length <= 16; length++) {
    code += spec.counts[length - 1] ?? 0;
    if (code > 1 << length) throw new JpegInvalidError("Huffman table has too many codes");
    code *= 2;
  }
}

function parseDqt(bytes: Uint8Array, start: number, end: number, quant: (QuantTable | undefined)[]): void {
  let at = start;
  while (at < end) {
    const pqtq = bytes[at] ?? 0;
    const precision = pqtq >> 4;
    const id = pqtq & 15;
    if (precision > 1 || id > 3) throw new JpegInvalidError(`DQT with precision ${precision} id ${id}`);
    const size = precision === 0 ? 64 : 128;
    if (at + 1 + size > end) throw new JpegInvalidError("DQT segment overruns");
    const values = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      values[k] = precision === 0 ? (bytes[at + 1 + k] ?? 0) : u16(bytes, at + 1 + 2 * k);
    }
    quant[id] = { precision, values };
    at += 1 + size;
  }
  if (at !== end) throw new JpegInvalidError("DQT segment of wrong length");
}

function checkQuant(components: readonly FrameComponent[], quant: readonly (QuantTable | undefined)[]): void {
  for (const component of components) {
    if (quant[component.tq] === undefined) {
      throw new JpegInvalidError(`component ${component.id} uses undefined quantization table`);
    }
  }
}

function checkTables(
  scan: readonly ScanComponent[],
  dc: readonly (HuffmanSpec | undefined)[],
  ac: readonly (HuffmanSpec | undefined)[],
): void {
  for (const s of scan) {
    if (dc[s.td] === undefined || ac[s.ta] === undefined) {
      throw new JpegInvalidError(`scan uses undefined Huffman table (DC ${s.td}, AC ${s.ta})`);
    }
  }
}
