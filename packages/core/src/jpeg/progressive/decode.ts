import type { CoefficientGrid } from "../decode.js";
import { decodeSlow, unstuff } from "../decode.js";
import { JpegInvalidError } from "../errors.js";
import { buildDecodeTable, LOOKUP_BITS } from "../huffman.js";
import type { DecodeTable } from "../huffman.js";
import { scanKind } from "./scans.js";
import type { ScanPlan } from "./scans.js";

/** Reads the bits of one scan's entropy-coded data, restart interval by restart interval. */
class BitReader {
  readonly #data: Uint8Array;
  readonly #bounds: number[];
  #segment = 0;
  #pos = 0;
  #buf = 0;
  #bits = 0;

  constructor(data: Uint8Array, bounds: number[]) {
    this.#data = data;
    this.#bounds = bounds;
  }

  #fill(): void {
    const data = this.#data;
    while (this.#bits <= 24) {
      this.#buf = (this.#buf << 8) | (this.#pos < data.length ? (data[this.#pos] as number) : 0);
      this.#pos++;
      this.#bits += 8;
    }
  }

  bits(n: number): number {
    if (n === 0) return 0;
    if (this.#bits < n) this.#fill();
    this.#bits -= n;
    return (this.#buf >>> this.#bits) & ((1 << n) - 1);
  }

  /** A magnitude of `s` bits, extended to its signed value (T.81 F.2.2.1). */
  signed(s: number): number {
    const v = this.bits(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  symbol(table: DecodeTable): number {
    if (this.#bits < 16) this.#fill();
    let entry = table.lookup[(this.#buf >>> (this.#bits - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)] as number;
    if (entry !== 0) {
      this.#bits -= entry & 15;
      return entry >> 4;
    }
    entry = decodeSlow(table, (this.#buf >>> (this.#bits - 16)) & 0xffff);
    this.#bits -= entry & 31;
    return entry >> 5;
  }

  /** Checks the interval's bits were all there (a scan cut short reads past them), then moves on. */
  close(): void {
    const end = this.#bounds[this.#segment + 1] as number;
    if (this.#pos * 8 - this.#bits > end * 8) {
      throw new JpegInvalidError("entropy-coded data ends inside a block (truncated scan?)");
    }
  }

  restart(): void {
    this.close();
    this.#segment++;
    this.#pos = this.#bounds[this.#segment] as number;
    this.#buf = 0;
    this.#bits = 0;
  }
}

/** Decodes one progressive scan, whose data starts at `dataOffset` of `bytes`, into `grid`. */
export function decodeProgressiveScan(
  bytes: Uint8Array,
  dataOffset: number,
  plan: ScanPlan,
  grid: CoefficientGrid,
): void {
  const { data, bounds } = unstuff(bytes, dataOffset);
  const perMcu = plan.mcuComponents.length;
  const mcus = plan.blocks.length / perMcu;
  const interval = plan.restartInterval > 0 ? plan.restartInterval : mcus;
  const segments = Math.ceil(mcus / interval);
  if (bounds.length - 1 !== segments) {
    throw new JpegInvalidError(
      `a scan has ${bounds.length - 2} restart markers where its restart interval implies ${segments - 1}`,
    );
  }
  const reader = new BitReader(data, bounds);
  const tables = plan.tables.map((spec) => (spec === undefined ? undefined : buildDecodeTable(spec)));
  const { ss, se, al } = plan.header;
  const { coef } = grid;
  const kind = scanKind(plan.header);
  const pred = new Int32Array(4);
  const band: Band = { reader, table: tables[0] as DecodeTable, coef, ss, se, al };
  let eobrun = 0;
  for (let m = 0; m < mcus; m++) {
    if (m > 0 && m % interval === 0) {
      reader.restart();
      pred.fill(0);
      eobrun = 0;
    }
    for (let b = 0; b < perMcu; b++) {
      const off = (plan.blocks[m * perMcu + b] as number) << 6;
      const c = plan.mcuComponents[b] as number;
      if (kind === "dcFirst") {
        const s = reader.symbol(tables[c] as DecodeTable);
        if (s > 11) throw new JpegInvalidError(`DC category ${s}`);
        pred[c] = (pred[c] as number) + (s === 0 ? 0 : reader.signed(s));
        coef[off] = (pred[c] as number) * (1 << al);
      } else if (kind === "dcRefine") {
        if (reader.bits(1) === 1) coef[off] = (coef[off] as number) | (1 << al);
      } else if (kind === "acFirst") {
        eobrun = decodeAcFirst(band, off, eobrun);
      } else {
        eobrun = decodeAcRefine(band, off, eobrun);
      }
    }
  }
  reader.close();
}

/** What an AC scan's blocks share: where its bits come from, its table, and its band. */
interface Band {
  readonly reader: BitReader;
  readonly table: DecodeTable;
  readonly coef: Int16Array;
  readonly ss: number;
  readonly se: number;
  readonly al: number;
}

function eobRunLength(reader: BitReader, r: number): number {
  return (1 << r) + reader.bits(r);
}

/** An AC first scan's block (T.81 G.1.2.2); returns the end-of-band run left after it. */
function decodeAcFirst(band: Band, off: number, eobrun: number): number {
  const { reader, table, coef, ss, se, al } = band;
  if (eobrun > 0) return eobrun - 1;
  for (let k = ss; k <= se; k++) {
    const rs = reader.symbol(table);
    const r = rs >> 4;
    const s = rs & 15;
    if (s === 0) {
      if (r < 15) return eobRunLength(reader, r) - 1;
      k += 15;
      continue;
    }
    k += r;
    if (k > se) throw new JpegInvalidError("AC coefficient index past the scan's band");
    coef[off + k] = reader.signed(s) * (1 << al);
  }
  return 0;
}

/** A correction bit for a coefficient already non-zero: its magnitude gains bit `p1`. */
function refine(reader: BitReader, coef: Int16Array, at: number, p1: number): void {
  const value = coef[at] as number;
  if (reader.bits(1) === 1 && (Math.abs(value) & p1) === 0) coef[at] = value >= 0 ? value + p1 : value - p1;
}

/** An AC refinement scan's block (T.81 G.1.2.3, as libjpeg decodes it). */
function decodeAcRefine(band: Band, off: number, eobrun: number): number {
  const { reader, table, coef, ss, se, al } = band;
  const p1 = 1 << al;
  let k = ss;
  let run = eobrun;
  if (run === 0) {
    for (; k <= se; k++) {
      const rs = reader.symbol(table);
      let r = rs >> 4;
      const s = rs & 15;
      let value = 0;
      if (s !== 0) {
        if (s !== 1) throw new JpegInvalidError("AC refinement of a magnitude other than 1");
        value = reader.bits(1) === 1 ? p1 : -p1;
      } else if (r !== 15) {
        run = eobRunLength(reader, r);
        break;
      }
      // Skip r zero coefficients (refining the non-zero ones passed), then place the new one.
      for (; k <= se; k++) {
        if (coef[off + k] !== 0) refine(reader, coef, off + k, p1);
        else if (--r < 0) break;
      }
      if (value !== 0) {
        if (k > se) throw new JpegInvalidError("AC coefficient index past the scan's band");
        coef[off + k] = value;
      }
    }
  }
  if (run > 0) {
    for (; k <= se; k++) if (coef[off + k] !== 0) refine(reader, coef, off + k, p1);
    return run - 1;
  }
  return 0;
}
