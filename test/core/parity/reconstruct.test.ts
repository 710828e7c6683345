import { expect } from "chai";
import fc from "fast-check";

import {
  PARITY_SCHEME,
  ParityError,
  createParityCodec,
  encodeParity,
  reconstructData,
  type ParityCodec,
} from "@disp/core";

import { pseudoRandomBytes, sameBytes } from "../helpers.js";
import { subsetsUpTo, unequalChunks, withLost } from "./helpers.js";

/** Kernels as the codecs use them (k = kh × kw fragments) with the parity they would get. */
const CASES = [
  { name: "2x2+1", k: 4, m: 1, fixture: "camera.png" },
  { name: "2x2+2", k: 4, m: 2, fixture: "rocket.jpg" },
  { name: "3x3+3", k: 9, m: 3, fixture: "chelsea.png" },
  { name: "1x4+2", k: 4, m: 2, fixture: "coffee.png" },
] as const;

function expectSameShards(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(actual.map((shard) => shard.length)).to.deep.equal(expected.map((shard) => shard.length));
  actual.forEach((shard, i) =>
    expect(sameBytes(shard, expected[i] ?? new Uint8Array()), `shard ${i}`).to.equal(true),
  );
}

describe("parity reconstruct", () => {
  let codec: ParityCodec;

  before(async () => {
    codec = await createParityCodec();
  });

  for (const { name, k, m, fixture } of CASES) {
    describe(`${name} on ${fixture} cut into ${k} unequal chunks`, () => {
      const data = unequalChunks(fixture, k);

      it("records the scheme, the padded length and every true length", () => {
        const { params, parity } = codec.encode(data, m);
        const lengths = data.map((shard) => shard.length);
        expect(new Set(lengths).size).to.be.greaterThan(1);
        expect(params).to.deep.equal({
          scheme: PARITY_SCHEME,
          k,
          m,
          shardLength: Math.max(...lengths),
          dataLengths: lengths,
        });
        expect(parity.map((shard) => shard.length)).to.deep.equal(Array<number>(m).fill(params.shardLength));
      });

      it(`rebuilds the data exactly for every combination of up to ${m} lost shards`, () => {
        const { params, parity } = codec.encode(data, m);
        const combinations = subsetsUpTo(k + m, m);
        for (const lost of combinations) {
          const rebuilt = codec.reconstruct(params, withLost(data, parity, lost));
          expectSameShards(rebuilt, data);
        }
        expect(combinations.length).to.be.greaterThan(k + m);
      });

      it(`refuses ${m + 1} lost shards with PARITY_TOO_MANY_LOST`, () => {
        const { params, parity } = codec.encode(data, m);
        for (const lost of [
          Array.from({ length: m + 1 }, (_, i) => i),
          Array.from({ length: m + 1 }, (_, i) => k + m - 1 - i),
        ]) {
          expect(() => codec.reconstruct(params, withLost(data, parity, lost)))
            .to.throw(ParityError)
            .with.property("code", "PARITY_TOO_MANY_LOST");
        }
      });
    });
  }

  it("rebuilds random shard sets of random lengths with any m lost (property)", () => {
    const input = fc
      .record({
        k: fc.integer({ min: 1, max: 10 }),
        m: fc.integer({ min: 1, max: 4 }),
        seed: fc.integer(),
      })
      .chain(({ k, m, seed }) =>
        fc.record({
          k: fc.constant(k),
          m: fc.constant(m),
          seed: fc.constant(seed),
          lengths: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: k, maxLength: k }),
          lost: fc.subarray(
            Array.from({ length: k + m }, (_, i) => i),
            { maxLength: m },
          ),
        }),
      )
      .filter(({ lengths }) => lengths.some((length) => length > 0));
    fc.assert(
      fc.property(input, ({ k, m, seed, lengths, lost }) => {
        const data = lengths.map((length, i) => pseudoRandomBytes(length, seed + i));
        const { params, parity } = codec.encode(data, m);
        expect(params.k).to.equal(k);
        expectSameShards(codec.reconstruct(params, withLost(data, parity, lost)), data);
      }),
    );
  });

  it("encodeParity and reconstructData share one codec loaded on first use", async () => {
    const data = unequalChunks("rocket.jpg", 4);
    const { params, parity } = await encodeParity(data, 2);
    expectSameShards(await reconstructData(params, withLost(data, parity, [0, 3])), data);
  });

  it("rebuilds exactly call after call on one codec (the package's own JS class fails from its second reconstruct)", () => {
    const data = unequalChunks("rocket.jpg", 4);
    const { params, parity } = codec.encode(data, 1);
    for (let round = 0; round < 3; round++) {
      for (let lost = 0; lost < 5; lost++) {
        expectSameShards(codec.reconstruct(params, withLost(data, parity, [lost])), data);
      }
    }
  });

  it("stays exact on one codec across calls above and below the memory it keeps between calls", () => {
    const big = [pseudoRandomBytes(24 * 2 ** 20, 7), pseudoRandomBytes(24 * 2 ** 20 - 5, 8)];
    const small = unequalChunks("rocket.jpg", 4);
    for (const data of [small, big, small]) {
      const { params, parity } = codec.encode(data, 1);
      expectSameShards(codec.reconstruct(params, withLost(data, parity, [1])), data);
    }
  });

  it("takes k + m = 256, the field's limit", () => {
    const data = Array.from({ length: 250 }, (_, i) => pseudoRandomBytes(8 + (i % 5), i + 1));
    const { params, parity } = codec.encode(data, 6);
    expectSameShards(codec.reconstruct(params, withLost(data, parity, [0, 7, 100, 200, 249, 255])), data);
  });
});
