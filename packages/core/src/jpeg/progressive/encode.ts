import type { CoefficientGrid } from "../decode.js";
import { BitWriter } from "../encode.js";
import { JpegInvalidError } from "../errors.js";
import { buildEncodeTable } from "../huffman.js";
import type { EncodeTable } from "../huffman.js";
import { scanKind } from "./scans.js";
import type { ScanPlan } from "./scans.js";

/**
 * libjpeg's limits (jcphuff.c): an end-of-band run is written once it reaches 0x7FFF blocks, or
 * once the refinement bits it holds back pass MAX_CORR_BITS - 64 + 1 = 937.
 */
const MAX_EOBRUN = 0x7fff;
const MAX_CORR_BITS = 1000;

/** The most one block can write: 64 codes of 16 bits with 16 bits each, stuffed, and held-back bits. */
const BLOCK_BYTES_MAX = 2 * ((64 * 32 + MAX_CORR_BITS) / 8) + 16;

function bitLength(value: number): number {
  return 32 - Math.clz32(value);
}

/**
 * One progressive scan written from the grid's coefficients with the scan's own tables, making the
 * choices libjpeg's encoder makes (jcphuff.c: when to end an end-of-band run, where held-back
 * refinement bits go, ones as padding), so that a file from libjpeg or libjpeg-turbo comes back
 * byte for byte.
 */
class ProgressiveEncoder {
  readonly #writer: BitWriter;
  readonly #table: EncodeTable | undefined;
  eobrun = 0;
  /** Refinement bits held back for the blocks of the current end-of-band run. */
  readonly held = new Uint8Array(MAX_CORR_BITS);
  heldCount = 0;

  constructor(writer: BitWriter, table: EncodeTable | undefined) {
    this.#writer = writer;
    this.#table = table;
  }

  symbol(table: EncodeTable, symbol: number): void {
    const size = table.size[symbol] as number;
    if (size === 0) {
      throw new JpegInvalidError(`Huffman table has no code for symbol 0x${symbol.toString(16)}`);
    }
    this.#writer.put(table.code[symbol] as number, size);
  }

  bits(value: number, length: number): void {
    if (length > 0) this.#writer.put(value & ((1 << length) - 1), length);
  }

  bufferedBits(bits: Uint8Array, from: number, count: number): void {
    for (let i = 0; i < count; i++) this.#writer.put(bits[from + i] as number, 1);
  }

  flushEobrun(): void {
    if (this.eobrun === 0) return;
    const nbits = bitLength(this.eobrun) - 1;
    if (nbits > 14) throw new JpegInvalidError("end-of-band run too long");
    this.symbol(this.#table as EncodeTable, nbits << 4);
    this.bits(this.eobrun, nbits);
    this.eobrun = 0;
    this.bufferedBits(this.held, 0, this.heldCount);
    this.heldCount = 0;
  }
}

/** Writes one scan's entropy-coded data, with its RST markers, padded with ones. */
export function encodeProgressiveScan(grid: CoefficientGrid, plan: ScanPlan, capacity: number): Uint8Array {
  const writer = new BitWriter(capacity);
  const tables = plan.tables.map((spec) => (spec === undefined ? undefined : buildEncodeTable(spec)));
  const kind = scanKind(plan.header);
  const encoder = new ProgressiveEncoder(writer, tables[0]);
  const { ss, se, al } = plan.header;
  const { coef } = grid;
  const perMcu = plan.mcuComponents.length;
  const mcus = plan.blocks.length / perMcu;
  const interval = plan.restartInterval;
  const pred = new Int32Array(4);
  const absolute = new Int32Array(64);
  const band: Band = { encoder, table: tables[0] as EncodeTable, coef, last: grid.last, ss, se, al };
  for (let m = 0; m < mcus; m++) {
    if (interval > 0 && m > 0 && m % interval === 0) {
      encoder.flushEobrun();
      writer.pad(1, false);
      writer.reserve(2);
      writer.marker(0xd0 + ((m / interval - 1) & 7));
      pred.fill(0);
    }
    writer.reserve(BLOCK_BYTES_MAX * perMcu);
    for (let b = 0; b < perMcu; b++) {
      const off = (plan.blocks[m * perMcu + b] as number) << 6;
      const c = plan.mcuComponents[b] as number;
      if (kind === "dcFirst") {
        const value = (coef[off] as number) >> al;
        const diff = value - (pred[c] as number);
        pred[c] = value;
        const nbits = bitLength(Math.abs(diff));
        encoder.symbol(tables[c] as EncodeTable, nbits);
        encoder.bits(diff < 0 ? diff - 1 : diff, nbits);
      } else if (kind === "dcRefine") {
        encoder.bits((coef[off] as number) >> al, 1);
      } else if (kind === "acFirst") {
        encodeAcFirst(band, off);
      } else {
        encodeAcRefine(band, off, absolute);
      }
    }
  }
  encoder.flushEobrun();
  writer.pad(1, false);
  return writer.bytes();
}

/** What an AC scan's blocks share: the encoder, its table, and its band. */
interface Band {
  readonly encoder: ProgressiveEncoder;
  readonly table: EncodeTable;
  readonly coef: Int16Array;
  /** Per block, its last non-zero coefficient: the band's zeros past it need no look. */
  readonly last: Uint8Array;
  readonly ss: number;
  readonly se: number;
  readonly al: number;
}

function encodeAcFirst(band: Band, off: number): void {
  const { encoder, table, coef, ss, se, al } = band;
  const end = Math.min(se, band.last[off >> 6] as number);
  let run = 0;
  for (let k = ss; k <= end; k++) {
    const value = coef[off + k] as number;
    const magnitude = Math.abs(value) >> al;
    if (magnitude === 0) {
      run++;
      continue;
    }
    encoder.flushEobrun();
    while (run > 15) {
      encoder.symbol(table, 0xf0);
      run -= 16;
    }
    const nbits = bitLength(magnitude);
    encoder.symbol(table, (run << 4) + nbits);
    encoder.bits(value < 0 ? ~magnitude : magnitude, nbits);
    run = 0;
  }
  run += se - Math.max(end, ss - 1);
  if (run > 0) {
    encoder.eobrun++;
    if (encoder.eobrun === MAX_EOBRUN) encoder.flushEobrun();
  }
}

function encodeAcRefine(band: Band, off: number, absolute: Int32Array): void {
  const { encoder, table, coef, ss, se, al } = band;
  // Past the block's last non-zero coefficient every magnitude is 0: one zero run, counted at the end.
  const end = Math.min(se, band.last[off >> 6] as number);
  // The last coefficient that becomes non-zero in this scan: zero runs past it go into the EOB.
  let eob = 0;
  for (let k = ss; k <= end; k++) {
    const magnitude = Math.abs(coef[off + k] as number) >> al;
    absolute[k] = magnitude;
    if (magnitude === 1) eob = k;
  }
  // This block's correction bits, after those held back for the run (or alone once it is written).
  const held = encoder.held;
  let from = encoder.heldCount;
  let count = 0;
  let run = 0;
  for (let k = ss; k <= end; k++) {
    const magnitude = absolute[k] as number;
    if (magnitude === 0) {
      run++;
      continue;
    }
    while (run > 15 && k <= eob) {
      encoder.flushEobrun();
      encoder.symbol(table, 0xf0);
      run -= 16;
      encoder.bufferedBits(held, from, count);
      from = 0;
      count = 0;
    }
    if (magnitude > 1) {
      held[from + count++] = magnitude & 1;
      continue;
    }
    encoder.flushEobrun();
    encoder.symbol(table, (run << 4) + 1);
    encoder.bits((coef[off + k] as number) < 0 ? 0 : 1, 1);
    encoder.bufferedBits(held, from, count);
    from = 0;
    count = 0;
    run = 0;
  }
  run += se - Math.max(end, ss - 1);
  if (run > 0 || count > 0) {
    encoder.eobrun++;
    encoder.heldCount += count;
    if (encoder.eobrun === MAX_EOBRUN || encoder.heldCount > MAX_CORR_BITS - 64 + 1) encoder.flushEobrun();
  }
}
