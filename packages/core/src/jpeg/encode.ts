import type { CoefficientGrid } from "./decode.js";
import { JpegInvalidError } from "./errors.js";
import type { McuGeometry } from "./geometry.js";
import type { EncodeTable } from "./huffman.js";

/** Room each MCU may need at most: 10 blocks of 64 coefficients of 32 bits, all bytes stuffed. */
const MCU_BYTES_MAX = 10 * 64 * 4 * 2;

/**
 * Writes bits MSB first with JPEG byte stuffing (0xFF is followed by 0x00). The accumulator never
 * holds more than 7 + 24 bits, so it stays within a 32-bit integer.
 */
export class BitWriter {
  out: Uint8Array;
  pos = 0;
  private acc = 0;
  private count = 0;

  constructor(capacity: number) {
    this.out = new Uint8Array(Math.max(capacity, 1024));
  }

  reserve(bytes: number): void {
    if (this.pos + bytes <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.pos + bytes));
    grown.set(this.out.subarray(0, this.pos));
    this.out = grown;
  }

  put(value: number, length: number): void {
    this.acc = (this.acc << length) | value;
    this.count += length;
    while (this.count >= 8) {
      this.count -= 8;
      const byte = (this.acc >>> this.count) & 0xff;
      this.out[this.pos++] = byte;
      if (byte === 0xff) this.out[this.pos++] = 0;
    }
  }

  /** A Huffman code then `extraLength` extra bits, in one step when they fit the accumulator. */
  putWithBits(code: number, length: number, extra: number, extraLength: number): void {
    if (length + extraLength <= 24) {
      this.put((code << extraLength) | extra, length + extraLength);
    } else {
      this.put(code, length);
      this.put(extra, extraLength);
    }
  }

  /** Fills the last partial byte with `padBit`s; a whole byte of them if aligned and `fullByte`. */
  pad(padBit: number, fullByte: boolean): void {
    if (this.count > 0 || fullByte) {
      const length = 8 - this.count;
      this.put(padBit === 1 ? (1 << length) - 1 : 0, length);
    }
  }

  marker(code: number): void {
    this.out[this.pos++] = 0xff;
    this.out[this.pos++] = code;
  }

  bytes(): Uint8Array {
    return this.out.subarray(0, this.pos);
  }
}

/** How the encoder fills the end of an interval up to a byte (see DecodedScan). */
export interface Padding {
  readonly bit: 0 | 1;
  readonly fullByte: boolean;
}

/** libjpeg's padding: ones, only up to the next byte boundary. */
export const STANDARD_PADDING: Padding = { bit: 1, fullByte: false };

function missingCode(kind: string, symbol: number): never {
  throw new JpegInvalidError(`${kind} Huffman table has no code for symbol 0x${symbol.toString(16)}`);
}

/**
 * Huffman-encodes the grid's MCUs (`order[m]`, or all in raster order) as one sequential scan, with
 * RST markers every `restartInterval` MCUs and the given padding.
 */
export function encodeScan(
  grid: CoefficientGrid,
  geometry: McuGeometry,
  dcTables: readonly EncodeTable[],
  acTables: readonly EncodeTable[],
  restartInterval: number,
  padding: Padding,
  order?: Int32Array,
  capacity = 1 << 16,
): Uint8Array {
  const total = order === undefined ? geometry.mcusX * geometry.mcusY : order.length;
  const encoder = new ScanEncoder(geometry, dcTables, acTables, restartInterval, padding, capacity);
  encoder.encode(total, grid, order);
  return encoder.finish();
}

/**
 * A sequential scan written a run of MCUs at a time (see ScanDecoder): the DC predictions and the
 * restart markers carry on from one run to the next.
 */
export class ScanEncoder {
  readonly #writer: BitWriter;
  readonly #geometry: McuGeometry;
  readonly #dcTables: readonly EncodeTable[];
  readonly #acTables: readonly EncodeTable[];
  readonly #restartInterval: number;
  readonly #padding: Padding;
  readonly #pred = new Int32Array(4);
  #next = 0;

  constructor(
    geometry: McuGeometry,
    dcTables: readonly EncodeTable[],
    acTables: readonly EncodeTable[],
    restartInterval: number,
    padding: Padding,
    capacity = 1 << 16,
  ) {
    this.#writer = new BitWriter(capacity);
    this.#geometry = geometry;
    this.#dcTables = dcTables;
    this.#acTables = acTables;
    this.#restartInterval = restartInterval;
    this.#padding = padding;
  }

  /** Encodes `count` more MCUs of the scan: the i-th is grid MCU `order[i]` (or i). */
  encode(count: number, grid: CoefficientGrid, order?: Int32Array): void {
    const { coef, last } = grid;
    const { blockComponent, blocksPerMcu } = this.#geometry;
    const { bit, fullByte } = this.#padding;
    const restartInterval = this.#restartInterval;
    const dcTables = this.#dcTables;
    const acTables = this.#acTables;
    const writer = this.#writer;
    const pred = this.#pred;
    for (let i = 0; i < count; i++) {
      const m = this.#next + i;
      if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
        writer.pad(bit, fullByte);
        writer.reserve(2);
        writer.marker(0xd0 + ((m / restartInterval - 1) & 7));
        pred.fill(0);
      }
      writer.reserve(MCU_BYTES_MAX);
      let block = (order === undefined ? i : (order[i] as number)) * blocksPerMcu;
      for (let bi = 0; bi < blocksPerMcu; bi++, block++) {
        const c = blockComponent[bi] as number;
        const dc = dcTables[c] as EncodeTable;
        const ac = acTables[c] as EncodeTable;
        const off = block << 6;
        const value = coef[off] as number;
        const diff = value - (pred[c] as number);
        pred[c] = value;
        if (diff === 0) {
          const size = dc.size[0] as number;
          if (size === 0) missingCode("DC", 0);
          writer.put(dc.code[0] as number, size);
        } else {
          const s = 32 - Math.clz32(diff < 0 ? -diff : diff);
          const size = dc.size[s] as number;
          if (size === 0) missingCode("DC", s);
          writer.putWithBits(dc.code[s] as number, size, diff < 0 ? diff + (1 << s) - 1 : diff, s);
        }
        const lastK = last[block] as number;
        let run = 0;
        for (let k = 1; k <= lastK; k++) {
          const v = coef[off + k] as number;
          if (v === 0) {
            run++;
            continue;
          }
          while (run > 15) {
            const size = ac.size[0xf0] as number;
            if (size === 0) missingCode("AC", 0xf0);
            writer.put(ac.code[0xf0] as number, size);
            run -= 16;
          }
          const s = 32 - Math.clz32(v < 0 ? -v : v);
          const symbol = (run << 4) | s;
          const size = ac.size[symbol] as number;
          if (size === 0) missingCode("AC", symbol);
          writer.putWithBits(ac.code[symbol] as number, size, v < 0 ? v + (1 << s) - 1 : v, s);
          run = 0;
        }
        if (lastK < 63) {
          const size = ac.size[0] as number;
          if (size === 0) missingCode("AC", 0);
          writer.put(ac.code[0] as number, size);
        }
      }
    }
    this.#next += count;
  }

  /** Pads the last interval and returns the scan's bytes. */
  finish(): Uint8Array {
    this.#writer.pad(this.#padding.bit, this.#padding.fullByte);
    return this.#writer.bytes();
  }
}

/** Symbol frequencies of a scan, per component: DC categories and AC (run, size) symbols. */
export interface SymbolCounts {
  readonly dc: Uint32Array[];
  readonly ac: Uint32Array[];
}

/** Counts the symbols `encodeScan` would write for these MCUs (no restart markers). */
export function countSymbols(grid: CoefficientGrid, geometry: McuGeometry, order: Int32Array): SymbolCounts {
  const { coef, last } = grid;
  const { blockComponent, blocksPerMcu } = geometry;
  const components = Math.max(...blockComponent) + 1;
  const dc = Array.from({ length: components }, () => new Uint32Array(256));
  const ac = Array.from({ length: components }, () => new Uint32Array(256));
  const pred = new Int32Array(4);
  for (let m = 0; m < order.length; m++) {
    let block = (order[m] as number) * blocksPerMcu;
    for (let bi = 0; bi < blocksPerMcu; bi++, block++) {
      const c = blockComponent[bi] as number;
      const dcCounts = dc[c] as Uint32Array;
      const acCounts = ac[c] as Uint32Array;
      const off = block << 6;
      const value = coef[off] as number;
      const diff = value - (pred[c] as number);
      pred[c] = value;
      const category = diff === 0 ? 0 : 32 - Math.clz32(diff < 0 ? -diff : diff);
      dcCounts[category] = (dcCounts[category] as number) + 1;
      const lastK = last[block] as number;
      let run = 0;
      for (let k = 1; k <= lastK; k++) {
        const v = coef[off + k] as number;
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          acCounts[0xf0] = (acCounts[0xf0] as number) + 1;
          run -= 16;
        }
        const symbol = (run << 4) | (32 - Math.clz32(v < 0 ? -v : v));
        acCounts[symbol] = (acCounts[symbol] as number) + 1;
        run = 0;
      }
      if (lastK < 63) acCounts[0] = (acCounts[0] as number) + 1;
    }
  }
  return { dc, ac };
}
