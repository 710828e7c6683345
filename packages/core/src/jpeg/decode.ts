import { JpegInvalidError, JpegUnsupportedError } from "./errors.js";
import type { McuGeometry } from "./geometry.js";
import { LOOKUP_BITS } from "./huffman.js";
import type { DecodeTable } from "./huffman.js";

/** Quantized DCT coefficients of a whole scan, MCU by MCU, block by block, each in zigzag order. */
export interface CoefficientGrid {
  readonly coef: Int16Array;
  /** Per block: zigzag index of its last non-zero AC coefficient, 0 when it has none. */
  readonly last: Uint8Array;
}

export function allocateGrid(geometry: McuGeometry): CoefficientGrid {
  const blocks = geometry.mcusX * geometry.mcusY * geometry.blocksPerMcu;
  return { coef: new Int16Array(blocks * 64), last: new Uint8Array(blocks) };
}

export interface DecodedScan {
  /** Offset in the file just past the entropy-coded data (where the next marker starts). */
  readonly end: number;
  /** The padding bits seen before restart markers and at the end: 1, 0, or undefined if none. */
  readonly padBit: 0 | 1 | undefined;
  /**
   * Whether data ending on a byte boundary still got a whole padding byte (jpeg-js, so jimp, does
   * this; libjpeg does not): true, false, or undefined when no interval ended on a boundary.
   */
  readonly padFullByte: boolean | undefined;
}

export interface Unstuffed {
  readonly data: Uint8Array;
  /** Start offset in `data` of each restart interval, then the end of the data. */
  readonly bounds: number[];
  readonly end: number;
}

/** Removes byte stuffing and splits the entropy-coded data at its RST markers. */
export function unstuff(bytes: Uint8Array, start: number): Unstuffed {
  const data = new Uint8Array(bytes.length - start + 8);
  const bounds = [0];
  let o = 0;
  let i = start;
  const n = bytes.length;
  while (i < n) {
    const byte = bytes[i] as number;
    if (byte !== 0xff) {
      data[o++] = byte;
      i++;
      continue;
    }
    const next = bytes[i + 1];
    if (next === 0x00) {
      data[o++] = 0xff;
      i += 2;
    } else if (next !== undefined && next >= 0xd0 && next <= 0xd7) {
      bounds.push(o);
      i += 2;
    } else {
      break;
    }
  }
  bounds.push(o);
  return { data, bounds, end: i };
}

/** Symbol and length of a code longer than LOOKUP_BITS, packed as (symbol << 5) | length. */
export function decodeSlow(table: DecodeTable, code16: number): number {
  let length = LOOKUP_BITS + 1;
  let code = code16 >>> (16 - length);
  while (code > (table.maxCode[length] as number)) {
    length++;
    code = code16 >>> (16 - length);
  }
  if (length > 16) throw new JpegInvalidError("bad Huffman code in entropy-coded data");
  return ((table.symbols[code + (table.valueOffset[length] as number)] ?? 0) << 5) | length;
}

/** Decodes a whole sequential Huffman scan into `grid`, MCU m of the scan to grid MCU m. */
export function decodeScan(
  bytes: Uint8Array,
  dataOffset: number,
  geometry: McuGeometry,
  dcTables: readonly DecodeTable[],
  acTables: readonly DecodeTable[],
  restartInterval: number,
  grid: CoefficientGrid,
): DecodedScan {
  const total = geometry.mcusX * geometry.mcusY;
  const decoder = new ScanDecoder(bytes, dataOffset, geometry, dcTables, acTables, restartInterval, total);
  decoder.decode(total, grid);
  return decoder.finish();
}

/**
 * A sequential Huffman scan of `total` MCUs, decoded a run of MCUs at a time: a caller can keep
 * only the MCUs it is working on instead of the whole image's coefficients (mergeJpeg does).
 */
export class ScanDecoder {
  readonly #data: Uint8Array;
  readonly #bounds: number[];
  readonly #end: number;
  readonly #geometry: McuGeometry;
  readonly #dcTables: readonly DecodeTable[];
  readonly #acTables: readonly DecodeTable[];
  readonly #total: number;
  readonly #interval: number;
  readonly #pred = new Int32Array(4);
  /** The next MCU of the scan, its restart interval, and the bit reader's place. */
  #next = 0;
  #segment = 0;
  #pos = 0;
  #buf = 0;
  #bits = 0;
  #sawOnes = false;
  #sawZeros = false;
  #sawFullByte = false;
  #sawAligned = false;

  constructor(
    bytes: Uint8Array,
    dataOffset: number,
    geometry: McuGeometry,
    dcTables: readonly DecodeTable[],
    acTables: readonly DecodeTable[],
    restartInterval: number,
    total: number,
  ) {
    const { data, bounds, end } = unstuff(bytes, dataOffset);
    const interval = restartInterval > 0 ? restartInterval : total;
    const segments = Math.ceil(total / interval);
    if (bounds.length - 1 !== segments) {
      throw new JpegUnsupportedError(
        `${bounds.length - 2} restart markers where the restart interval implies ${segments - 1}`,
      );
    }
    this.#data = data;
    this.#bounds = bounds;
    this.#end = end;
    this.#geometry = geometry;
    this.#dcTables = dcTables;
    this.#acTables = acTables;
    this.#total = total;
    this.#interval = interval;
  }

  /** How many MCUs of the scan are decoded so far. */
  get decoded(): number {
    return this.#next;
  }

  /** Decodes the next `count` MCUs; the i-th goes to grid MCU `order[i]` (or i). */
  decode(count: number, grid: CoefficientGrid, order?: Int32Array): void {
    if (this.#next + count > this.#total) throw new RangeError("decoding past the end of the scan");
    const { coef, last } = grid;
    const { blockComponent, blocksPerMcu } = this.#geometry;
    const dcTables = this.#dcTables;
    const acTables = this.#acTables;
    const data = this.#data;
    const dataLength = data.length;
    const interval = this.#interval;
    const pred = this.#pred;
    let pos = this.#pos;
    let buf = this.#buf;
    let bits = this.#bits;
    for (let i = 0; i < count; i++) {
      const m = this.#next + i;
      if (m > 0 && m % interval === 0) {
        this.#closeSegment(pos, bits);
        pos = this.#bounds[++this.#segment] as number;
        buf = 0;
        bits = 0;
        pred.fill(0);
      }
      let block = (order === undefined ? i : (order[i] as number)) * blocksPerMcu;
      for (let bi = 0; bi < blocksPerMcu; bi++, block++) {
        const c = blockComponent[bi] as number;
        const dcTable = dcTables[c] as DecodeTable;
        const acTable = acTables[c] as DecodeTable;
        const off = block << 6;
        // DC: category symbol, then that many bits of difference from the previous block.
        if (bits < 16) {
          while (bits <= 24) {
            buf = (buf << 8) | (pos < dataLength ? (data[pos] as number) : 0);
            pos++;
            bits += 8;
          }
        }
        let entry = dcTable.lookup[(buf >>> (bits - LOOKUP_BITS)) & 511] as number;
        let s: number;
        if (entry !== 0) {
          bits -= entry & 15;
          s = entry >> 4;
        } else {
          entry = decodeSlow(dcTable, (buf >>> (bits - 16)) & 0xffff);
          bits -= entry & 31;
          s = entry >> 5;
        }
        if (s !== 0) {
          if (s > 16) throw new JpegInvalidError(`DC category ${s}`);
          if (bits < s) {
            while (bits <= 24) {
              buf = (buf << 8) | (pos < dataLength ? (data[pos] as number) : 0);
              pos++;
              bits += 8;
            }
          }
          let v = (buf >>> (bits - s)) & ((1 << s) - 1);
          bits -= s;
          if (v < 1 << (s - 1)) v -= (1 << s) - 1;
          pred[c] = (pred[c] as number) + v;
        }
        coef[off] = pred[c] as number;
        // AC: (run, size) symbols, ZRL for 16 zeros, EOB to end the block early.
        let k = 1;
        let lastK = 0;
        while (k < 64) {
          if (bits < 16) {
            while (bits <= 24) {
              buf = (buf << 8) | (pos < dataLength ? (data[pos] as number) : 0);
              pos++;
              bits += 8;
            }
          }
          entry = acTable.lookup[(buf >>> (bits - LOOKUP_BITS)) & 511] as number;
          let rs: number;
          if (entry !== 0) {
            bits -= entry & 15;
            rs = entry >> 4;
          } else {
            entry = decodeSlow(acTable, (buf >>> (bits - 16)) & 0xffff);
            bits -= entry & 31;
            rs = entry >> 5;
          }
          s = rs & 15;
          if (s === 0) {
            if (rs !== 0xf0) break;
            k += 16;
            continue;
          }
          k += rs >> 4;
          if (k > 63) throw new JpegInvalidError("AC coefficient index past 63");
          if (bits < s) {
            while (bits <= 24) {
              buf = (buf << 8) | (pos < dataLength ? (data[pos] as number) : 0);
              pos++;
              bits += 8;
            }
          }
          let v = (buf >>> (bits - s)) & ((1 << s) - 1);
          bits -= s;
          if (v < 1 << (s - 1)) v -= (1 << s) - 1;
          coef[off + k] = v;
          lastK = k;
          k++;
        }
        if (k > 64) throw new JpegInvalidError("zero run past the end of a block");
        last[block] = lastK;
      }
    }
    this.#next += count;
    this.#pos = pos;
    this.#buf = buf;
    this.#bits = bits;
  }

  /** Checks the end of the last interval once every MCU is decoded; says how the scan was padded. */
  finish(): DecodedScan {
    if (this.#next !== this.#total) throw new RangeError("the scan has MCUs left to decode");
    this.#closeSegment(this.#pos, this.#bits);
    if (this.#sawOnes && this.#sawZeros)
      throw new JpegUnsupportedError("padding bits are ones in places and zeros in others");
    if (this.#sawFullByte && this.#sawAligned) {
      throw new JpegUnsupportedError("some byte-aligned intervals get a padding byte and others do not");
    }
    return {
      end: this.#end,
      padBit: this.#sawOnes ? 1 : this.#sawZeros ? 0 : undefined,
      padFullByte: this.#sawFullByte ? true : this.#sawAligned ? false : undefined,
    };
  }

  /** What is left of an interval's last byte is padding; more than that is not ours to rebuild. */
  #closeSegment(pos: number, bits: number): void {
    const segmentEnd = this.#bounds[this.#segment + 1] as number;
    const consumed = pos * 8 - bits;
    const padding = segmentEnd * 8 - consumed;
    if (padding < 0) throw new JpegInvalidError("entropy-coded data ends inside an MCU (truncated file?)");
    if (padding > 8) {
      throw new JpegUnsupportedError(
        `${padding >> 3} unexpected bytes after the last MCU of a restart interval`,
      );
    }
    if (padding === 8) this.#sawFullByte = true;
    if (padding === 0) this.#sawAligned = true;
    if (padding > 0) {
      const mask = (1 << padding) - 1;
      const value = (this.#data[segmentEnd - 1] as number) & mask;
      if (value === mask) this.#sawOnes = true;
      else if (value === 0) this.#sawZeros = true;
      else throw new JpegUnsupportedError("padding bits mix ones and zeros");
    }
  }
}
