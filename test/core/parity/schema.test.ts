import { expect } from "chai";

import { MAX_PARITY_TOTAL_SHARDS, PARITY_SCHEME, createParityCodec, parityParamsSchema } from "@disp/core";

import { unequalChunks } from "./helpers.js";

describe("parityParamsSchema", () => {
  it("accepts what encode records, also after a JSON round trip", async () => {
    const codec = await createParityCodec();
    const { params } = codec.encode(unequalChunks("chelsea.png", 9), 3);
    expect(parityParamsSchema.parse(JSON.parse(JSON.stringify(params)))).to.deep.equal(params);
    expect(params.scheme).to.equal(PARITY_SCHEME);
  });

  it("refuses records another implementation could not recompute parity from", () => {
    const good = { scheme: PARITY_SCHEME, k: 2, m: 1, shardLength: 5, dataLengths: [5, 3] };
    expect(parityParamsSchema.safeParse(good).success).to.equal(true);
    const bad: unknown[] = [
      { ...good, scheme: "reed-solomon-gf256-vandermonde@2" },
      { ...good, dataLengths: [5] },
      { ...good, shardLength: 3 },
      { ...good, shardLength: 0, dataLengths: [0, 0] },
      { ...good, k: 1.5 },
      { ...good, m: MAX_PARITY_TOTAL_SHARDS - 1 },
      { ...good, unknown: 1 },
      { k: 2, m: 1, shardLength: 5, dataLengths: [5, 3] },
    ];
    for (const candidate of bad)
      expect(parityParamsSchema.safeParse(candidate).success, JSON.stringify(candidate)).to.equal(false);
  });
});
