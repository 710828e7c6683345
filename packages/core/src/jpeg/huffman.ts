import { JpegInvalidError } from "./errors.js";
import type { HuffmanSpec } from "./parse.js";

/** Bits looked up at once when decoding; longer codes take the canonical-code slow path. */
export const LOOKUP_BITS = 9;

export interface DecodeTable {
  /** Indexed by the next LOOKUP_BITS bits: (symbol << 4) | length, or 0 when the code is longer. */
  readonly lookup: Uint16Array;
  /** Largest code of each length 0..17 (-1 when none); [17] is a sentinel. */
  readonly maxCode: Int32Array;
  /** symbols[code + valueOffset[length]] is the symbol of a code of that length. */
  readonly valueOffset: Int32Array;
  readonly symbols: Uint8Array;
}

export interface EncodeTable {
  readonly code: Uint16Array;
  /** Code length per symbol, 0 when the table has no code for it. */
  readonly size: Uint8Array;
}

/** Canonical code assignment of JPEG Annex C. */
function forEachCode(spec: HuffmanSpec, visit: (symbol: number, code: number, length: number) => void): void {
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const count = spec.counts[length - 1] ?? 0;
    for (let i = 0; i < count; i++) {
      visit(spec.symbols[k++] ?? 0, code, length);
      code++;
    }
    code <<= 1;
  }
}

export function buildDecodeTable(spec: HuffmanSpec): DecodeTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const valueOffset = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const count = spec.counts[length - 1] ?? 0;
    valueOffset[length] = k - code;
    for (let i = 0; i < count; i++) {
      if (length <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - length;
        const entry = ((spec.symbols[k] ?? 0) << 4) | length;
        lookup.fill(entry, code << shift, (code + 1) << shift);
      }
      code++;
      k++;
    }
    if (count > 0) maxCode[length] = code - 1;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { lookup, maxCode, valueOffset, symbols: spec.symbols };
}

export function buildEncodeTable(spec: HuffmanSpec): EncodeTable {
  const code = new Uint16Array(256);
  const size = new Uint8Array(256);
  forEachCode(spec, (symbol, c, length) => {
    code[symbol] = c;
    size[symbol] = length;
  });
  return { code, size };
}

/** Encoded size in bits of symbols with these frequencies, Infinity if a used symbol has no code. */
export function costInBits(spec: HuffmanSpec, frequencies: Uint32Array): number {
  const { size } = buildEncodeTable(spec);
  let bits = 0;
  for (let symbol = 0; symbol < 256; symbol++) {
    const count = frequencies[symbol] ?? 0;
    if (count === 0) continue;
    const length = size[symbol] ?? 0;
    if (length === 0) return Infinity;
    bits += count * length;
  }
  return bits;
}

/**
 * The optimal length-limited (16-bit) table for these symbol frequencies, built exactly as
 * libjpeg's jpeg_gen_optimal_table (JPEG Annex K.2): a reserved pseudo-symbol keeps any code from
 * being all ones, and lengths over 16 are folded back.
 */
export function optimalSpec(frequencies: Uint32Array): HuffmanSpec {
  const freq = new Float64Array(257);
  let used = 0;
  for (let i = 0; i < 256; i++) {
    freq[i] = frequencies[i] ?? 0;
    if (freq[i] !== 0) used++;
  }
  if (used === 0)
    return {
      counts: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      symbols: Uint8Array.of(0),
    };
  freq[256] = 1;
  const codeSize = new Int32Array(257);
  const others = new Int32Array(257).fill(-1);
  for (;;) {
    let c1 = -1;
    let v = Infinity;
    for (let i = 0; i <= 256; i++) {
      const f = freq[i] ?? 0;
      if (f !== 0 && f <= v) {
        v = f;
        c1 = i;
      }
    }
    let c2 = -1;
    v = Infinity;
    for (let i = 0; i <= 256; i++) {
      const f = freq[i] ?? 0;
      if (f !== 0 && f <= v && i !== c1) {
        v = f;
        c2 = i;
      }
    }
    if (c2 < 0) break;
    freq[c1] = (freq[c1] ?? 0) + (freq[c2] ?? 0);
    freq[c2] = 0;
    codeSize[c1] = (codeSize[c1] ?? 0) + 1;
    while ((others[c1] ?? -1) >= 0) {
      c1 = others[c1] ?? -1;
      codeSize[c1] = (codeSize[c1] ?? 0) + 1;
    }
    others[c1] = c2;
    codeSize[c2] = (codeSize[c2] ?? 0) + 1;
    while ((others[c2] ?? -1) >= 0) {
      c2 = others[c2] ?? -1;
      codeSize[c2] = (codeSize[c2] ?? 0) + 1;
    }
  }
  const maxLength = 32;
  const bits = new Int32Array(maxLength + 1);
  for (let i = 0; i <= 256; i++) {
    const size = codeSize[i] ?? 0;
    if (size === 0) continue;
    if (size > maxLength) throw new JpegInvalidError("Huffman code length overflow");
    bits[size] = (bits[size] ?? 0) + 1;
  }
  for (let i = maxLength; i > 16; i--) {
    while ((bits[i] ?? 0) > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i] = (bits[i] ?? 0) - 2;
      bits[i - 1] = (bits[i - 1] ?? 0) + 1;
      bits[j + 1] = (bits[j + 1] ?? 0) + 2;
      bits[j] = (bits[j] ?? 0) - 1;
    }
  }
  let longest = 16;
  while (bits[longest] === 0) longest--;
  bits[longest] = (bits[longest] ?? 0) - 1; // drop the reserved pseudo-symbol's code
  const counts = Uint8Array.from(bits.subarray(1, 17));
  const symbols: number[] = [];
  for (let length = 1; length <= maxLength; length++) {
    for (let symbol = 0; symbol < 256; symbol++) if (codeSize[symbol] === length) symbols.push(symbol);
  }
  return { counts, symbols: Uint8Array.from(symbols) };
}

function spec(counts: number[], symbols: number[]): HuffmanSpec {
  return { counts: Uint8Array.from(counts), symbols: Uint8Array.from(symbols) };
}

const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** JPEG Annex K.3 typical tables (luminance, chrominance). */
export const STANDARD_DC: readonly HuffmanSpec[] = [
  spec([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], DC_SYMBOLS),
  spec([0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], DC_SYMBOLS),
];

// prettier-ignore
export const STANDARD_AC: readonly HuffmanSpec[] = [
  spec([0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d], [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
  ]),
  spec([0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77], [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
  ]),
];

/**
 * The smaller of the optimal table for `frequencies` and the standard tables, counting the DHT bytes
 * each one costs (17 + symbols).
 */
export function bestSpec(frequencies: Uint32Array, standards: readonly HuffmanSpec[]): HuffmanSpec {
  let best = optimalSpec(frequencies);
  let bestBytes = costInBits(best, frequencies) / 8 + best.symbols.length;
  for (const standard of standards) {
    const bytes = costInBits(standard, frequencies) / 8 + standard.symbols.length;
    if (bytes < bestBytes) {
      best = standard;
      bestBytes = bytes;
    }
  }
  return best;
}
