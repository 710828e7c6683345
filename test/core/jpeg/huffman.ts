import { expect } from "chai";
import fc from "fast-check";

import {
  bestSpec,
  buildDecodeTable,
  buildEncodeTable,
  costInBits,
  optimalSpec,
  STANDARD_AC,
  STANDARD_DC,
} from "../../../packages/core/src/jpeg/huffman.js";
import type { HuffmanSpec } from "../../../packages/core/src/jpeg/parse.js";

/** Code lengths by symbol, and whether the code is a valid JPEG prefix code (no all-ones code). */
function check(spec: HuffmanSpec): { lengths: Map<number, number>; kraft: number } {
  const lengths = new Map<number, number>();
  let k = 0;
  let kraft = 0;
  spec.counts.forEach((count, i) => {
    for (let n = 0; n < count; n++) {
      lengths.set(spec.symbols[k++] ?? -1, i + 1);
      kraft += 2 ** -(i + 1);
    }
  });
  expect(k).to.equal(spec.symbols.length);
  return { lengths, kraft };
}

const frequencies = fc
  .array(fc.nat({ max: 1_000_000 }), { minLength: 256, maxLength: 256 })
  .map((values) => Uint32Array.from(values));

describe("JPEG Huffman tables", function () {
  it("builds optimal tables that cover every used symbol within 16 bits and leave the all-ones code free", function () {
    fc.assert(
      fc.property(frequencies, (freq) => {
        const spec = optimalSpec(freq);
        const { lengths, kraft } = check(spec);
        expect(kraft).to.be.lessThan(1);
        for (let s = 0; s < 256; s++) if ((freq[s] ?? 0) > 0) expect(lengths.get(s)).to.be.within(1, 16);
        expect(costInBits(spec, freq)).to.be.at.most(costInBits(STANDARD_AC[0] as HuffmanSpec, freq));
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("folds codes longer than 16 bits back (Fibonacci frequencies)", function () {
    const freq = new Uint32Array(256);
    let [a, b] = [1, 1];
    for (let s = 0; s < 30; s++) {
      freq[s] = a;
      [a, b] = [b, a + b];
    }
    const { lengths, kraft } = check(optimalSpec(freq));
    expect(Math.max(...lengths.values())).to.equal(16);
    expect(kraft).to.be.lessThan(1);
    expect(lengths.size).to.equal(30);
  });

  it("decodes what it encodes, for codes short and long", function () {
    const freq = new Uint32Array(256);
    let [a, b] = [1, 1];
    for (let s = 0; s < 40; s++) {
      freq[s * 5] = a;
      [a, b] = [b, a + b];
    }
    const spec = optimalSpec(freq);
    const encode = buildEncodeTable(spec);
    const decode = buildDecodeTable(spec);
    for (let s = 0; s < 256; s++) {
      const size = encode.size[s] ?? 0;
      if (size === 0) continue;
      const code16 = ((encode.code[s] ?? 0) << (16 - size)) & 0xffff;
      const entry = decode.lookup[code16 >> 7] ?? 0;
      if (entry !== 0) {
        expect([entry >> 4, entry & 15]).to.deep.equal([s, size]);
      } else {
        let length = 10;
        while (code16 >> (16 - length) > (decode.maxCode[length] ?? 0)) length++;
        expect(length).to.equal(size);
        expect(decode.symbols[(code16 >> (16 - length)) + (decode.valueOffset[length] ?? 0)]).to.equal(s);
      }
    }
  });

  it("picks the standard table when it is cheaper, tables included", function () {
    // One symbol used once: any table costs its DHT bytes; the optimal one has a single entry.
    const freq = new Uint32Array(256);
    freq[0] = 1;
    expect(bestSpec(freq, STANDARD_DC).symbols.length).to.equal(1);
    // Frequencies that follow the standard DC table exactly: it is then optimal, and as small.
    const dc = STANDARD_DC[0] as HuffmanSpec;
    const { lengths } = check(dc);
    const matched = new Uint32Array(256);
    for (const [symbol, length] of lengths) matched[symbol] = 2 ** (16 - length);
    expect(costInBits(bestSpec(matched, STANDARD_DC), matched)).to.equal(costInBits(dc, matched));
  });
});
