import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { expect } from "chai";

import { createParityCodec, type ParityCodec } from "@disp/core";

import { sameBytes } from "../helpers.js";
import { withLost } from "./helpers.js";

/**
 * Parity printed by klauspost/reedsolomon v1.14.2 (`reedsolomon.New(k, m)`, default options,
 * `Encode`) for k data shards of 16 bytes where byte j of shard i is (37i + 11j + 5) mod 256: the
 * scheme is only interoperable if these bytes match exactly.
 */
const KLAUSPOST_VECTORS = [
  { k: 2, m: 1, parity: ["5b5aadfcff861118febfb8d9c7ce2960"] },
  { k: 4, m: 2, parity: ["cc8485f24adb3cd7a82783b79d1c910e", "9ba1418882bb3fffe8e5f740922b657c"] },
  {
    k: 9,
    m: 3,
    parity: [
      "172b04f13f927a02fa59df63d783eb25",
      "03a770d02daa639551f285c481825bbd",
      "c606c9c1724282342ad58df913237b63",
    ],
  },
  {
    k: 10,
    m: 4,
    parity: [
      "894ba8c9af9ca2b2f137bb8983465504",
      "099c7d5ab16fad8edafcac1c10857208",
      "c5356be8b1ecae95cad2059ce326dae3",
      "3ae886fc0629b3d6ba9f8809ea63a690",
    ],
  },
];

function vectorData(k: number): Uint8Array[] {
  return Array.from({ length: k }, (_, i) =>
    Uint8Array.from({ length: 16 }, (_, j) => (37 * i + 11 * j + 5) & 255),
  );
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

describe("parity compatibility with klauspost/reedsolomon", () => {
  let codec: ParityCodec;

  before(async () => {
    codec = await createParityCodec();
  });

  it("gives the same parity with the binary handed in as bytes or as a Response (how a bundle loads it)", async () => {
    const coreRequire = createRequire(new URL("../../../packages/core/package.json", import.meta.url));
    const bytes = new Uint8Array(
      readFileSync(coreRequire.resolve("@digitaldefiance/reed-solomon-erasure.wasm/wasm")),
    );
    const vector = KLAUSPOST_VECTORS[1];
    if (!vector) throw new Error("vector missing");
    for (const wasm of [bytes, new Response(bytes, { headers: { "content-type": "application/wasm" } })]) {
      const loaded = await createParityCodec({ wasm });
      expect(loaded.encode(vectorData(vector.k), vector.m).parity.map(hex)).to.deep.equal(vector.parity);
    }
  });

  for (const { k, m, parity } of KLAUSPOST_VECTORS) {
    it(`gives klauspost's parity bytes for ${k}+${m}`, () => {
      expect(codec.encode(vectorData(k), m).parity.map(hex)).to.deep.equal(parity);
    });

    it(`rebuilds ${k}+${m} data lost up to m from klauspost's parity`, () => {
      const data = vectorData(k);
      const { params } = codec.encode(data, m);
      const given = parity.map((text) =>
        Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16)),
      );
      const lost = Array.from({ length: Math.min(m, k) }, (_, i) => i);
      const rebuilt = codec.reconstruct(params, withLost(data, given, lost));
      rebuilt.forEach((shard, i) => expect(sameBytes(shard, data[i] ?? new Uint8Array())).to.equal(true));
    });
  }
});
