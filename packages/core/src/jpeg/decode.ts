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

interface Unstuffed {
  readonly data: Uint8Array;
  /** Start offset in `data` of each restart interval, then the end of the data. */
  readonly bounds: number[];
  readonly end: number;
}

/** Removes byte stuffing and splits the entropy-coded data at its RST markers. */
function unstuff(bytes: Uint8Array, start: number): Unstuffed {
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
function decodeSlow(table: DecodeTable, code16: number): number {
  let length = LOOKUP_BITS + 1;
  let code = code16 >>> (16 - length);
  while (code > (table.maxCode[length] as number)) {
    length++;
    code = code16 >>> (16 - length);
  }
  if (length > 16) throw new JpegInvalidError("bad Huffman code in entropy-coded data");
  return ((table.symbols[code + (table.valueOffset[length] as number)] ?? 0) << 5) | length;
}

/**
 * Decodes a sequential Huffman scan into `grid`. MCU number m of the scan goes to grid MCU
 * `order[m]` (or m), so fragments decode straight into their place in the whole image.
 */
export function decodeScan(
  bytes: Uint8Array,
  dataOffset: number,
  geometry: McuGeometry,
  dcTables: readonly DecodeTable[],
  acTables: readonly DecodeTable[],
  restartInterval: number,
  grid: CoefficientGrid,
  order?: Int32Array,
): DecodedScan {
  const { data, bounds, end } = unstuff(bytes, dataOffset);
  const total = order === undefined ? geometry.mcusX * geometry.mcusY : order.length;
  const interval = restartInterval > 0 ? restartInterval : total;
  const segments = Math.ceil(total / interval);
  if (bounds.length - 1 !== segments) {
    throw new JpegUnsupportedError(
      `${bounds.length - 2} restart markers where the restart interval implies ${segments - 1}`,
    );
  }
  const { coef, last } = grid;
  const { blockComponent, blocksPerMcu } = geometry;
  const dataLength = data.length;
  const pred = new Int32Array(4);
  let sawOnes = false;
  let sawZeros = false;
  let sawFullByte = false;
  let sawAligned = false;
  for (let segment = 0; segment < segments; segment++) {
    const segmentStart = bounds[segment] as number;
    const segmentEnd = bounds[segment + 1] as number;
    let pos = segmentStart;
    let buf = 0;
    let bits = 0;
    pred.fill(0);
    const mcuEnd = Math.min(total, (segment + 1) * interval);
    for (let m = segment * interval; m < mcuEnd; m++) {
      const mcu = order === undefined ? m : (order[m] as number);
      let block = mcu * blocksPerMcu;
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
    // What is left of the interval's last byte is padding; more than that is not ours to rebuild.
    const consumed = pos * 8 - bits;
    const padding = segmentEnd * 8 - consumed;
    if (padding < 0) throw new JpegInvalidError("entropy-coded data ends inside an MCU (truncated file?)");
    if (padding > 8) {
      throw new JpegUnsupportedError(
        `${padding >> 3} unexpected bytes after the last MCU of a restart interval`,
      );
    }
    if (padding === 8) sawFullByte = true;
    if (padding === 0) sawAligned = true;
    if (padding > 0) {
      const mask = (1 << padding) - 1;
      const value = (data[segmentEnd - 1] as number) & mask;
      if (value === mask) sawOnes = true;
      else if (value === 0) sawZeros = true;
      else throw new JpegUnsupportedError("padding bits mix ones and zeros");
    }
  }
  if (sawOnes && sawZeros)
    throw new JpegUnsupportedError("padding bits are ones in places and zeros in others");
  if (sawFullByte && sawAligned) {
    throw new JpegUnsupportedError("some byte-aligned intervals get a padding byte and others do not");
  }
  return {
    end,
    padBit: sawOnes ? 1 : sawZeros ? 0 : undefined,
    padFullByte: sawFullByte ? true : sawAligned ? false : undefined,
  };
}
