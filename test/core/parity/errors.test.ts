import { expect } from "chai";

import {
  PARITY_SCHEME,
  ParityError,
  createParityCodec,
  type ParityCodec,
  type ParityParams,
} from "@disp/core";

import { pseudoRandomBytes, sameBytes } from "../helpers.js";
import { unequalChunks, withLost } from "./helpers.js";

function expectParityError(action: () => unknown, code: string): void {
  expect(action).to.throw(ParityError).with.property("code", code);
}

describe("parity refusals", () => {
  let codec: ParityCodec;

  before(async () => {
    codec = await createParityCodec();
  });

  describe("when encoding", () => {
    const data = unequalChunks("rocket.jpg", 4);

    it("refuses m outside 1..256 - k with PARITY_INVALID_PARAMS", () => {
      for (const m of [0, -1, 1.5, Number.NaN, 253]) {
        expectParityError(() => codec.encode(data, m), "PARITY_INVALID_PARAMS");
      }
      expect(
        codec.encode(
          data.map((shard) => shard.subarray(0, 16)),
          252,
        ).parity,
      ).to.have.length(252);
    });

    it("refuses no data shards with PARITY_INVALID_PARAMS", () => {
      expectParityError(() => codec.encode([], 2), "PARITY_INVALID_PARAMS");
    });

    it("refuses data shards that are all empty with PARITY_INVALID_SHARDS", () => {
      expectParityError(() => codec.encode([new Uint8Array(), new Uint8Array()], 1), "PARITY_INVALID_SHARDS");
    });
  });

  describe("when reconstructing", () => {
    const data = unequalChunks("camera.png", 4);
    let params: ParityParams;
    let parity: Uint8Array[];

    before(() => {
      ({ params, parity } = codec.encode(data, 2));
    });

    it("refuses a parity shard of the wrong length with PARITY_SHARD_LENGTH", () => {
      const [p0, p1] = parity;
      if (!p0 || !p1) throw new Error("two parity shards expected");
      for (const bad of [p0.subarray(1), new Uint8Array(p0.length + 1)]) {
        expectParityError(
          () => codec.reconstruct(params, [undefined, ...data.slice(1), bad, p1]),
          "PARITY_SHARD_LENGTH",
        );
      }
    });

    it("refuses a data shard of another length than recorded with PARITY_SHARD_LENGTH", () => {
      const longer = new Uint8Array((data[1]?.length ?? 0) + 1);
      expectParityError(
        () => codec.reconstruct(params, [undefined, longer, ...data.slice(2), ...parity]),
        "PARITY_SHARD_LENGTH",
      );
    });

    it("refuses parity files from another image of other lengths with PARITY_SHARD_LENGTH", () => {
      const other = codec.encode(unequalChunks("rocket.jpg", 4), 2);
      expectParityError(
        () => codec.reconstruct(params, [undefined, undefined, ...data.slice(2), ...other.parity]),
        "PARITY_SHARD_LENGTH",
      );
    });

    describe("given a parity shard from another image of the same lengths", () => {
      const otherData = data.map((shard, i) => pseudoRandomBytes(shard.length, 100 + i));
      let otherParity: Uint8Array[];

      before(() => {
        otherParity = codec.encode(otherData, 2).parity;
      });

      it("refuses it with PARITY_INCONSISTENT when a spare shard shows it", () => {
        const shards = [undefined, ...data.slice(1), otherParity[0], parity[1]];
        expectParityError(() => codec.reconstruct(params, shards), "PARITY_INCONSISTENT");
      });

      it("refuses it with PARITY_INCONSISTENT when the rebuilt shard's padding shows it", () => {
        const shortest = params.dataLengths.indexOf(Math.min(...params.dataLengths));
        expect(params.dataLengths[shortest]).to.be.lessThan(params.shardLength);
        const shards = withLost(
          data,
          [otherParity[0] ?? new Uint8Array(), parity[1] ?? new Uint8Array()],
          [shortest, 5],
        );
        expectParityError(() => codec.reconstruct(params, shards), "PARITY_INCONSISTENT");
      });
    });

    it("refuses the wrong number of shards with PARITY_INVALID_SHARDS", () => {
      expectParityError(
        () => codec.reconstruct(params, [...data, ...parity, undefined]),
        "PARITY_INVALID_SHARDS",
      );
      expectParityError(() => codec.reconstruct(params, data), "PARITY_INVALID_SHARDS");
    });

    it("refuses parameters that do not hold together with PARITY_INVALID_PARAMS", () => {
      const shards = withLost(data, parity, [0]);
      const bad: unknown[] = [
        { ...params, scheme: "reed-solomon-gf256-cauchy@1" },
        { ...params, k: 3 },
        { ...params, m: 0 },
        { ...params, k: 200, m: 57, dataLengths: Array<number>(200).fill(params.shardLength) },
        { ...params, shardLength: params.shardLength + 1 },
        { ...params, dataLengths: [...params.dataLengths.slice(1), -1] },
        { ...params, extra: true },
      ];
      for (const candidate of bad) {
        // Deliberately malformed records, as a manifest read from IPFS may hold.
        expectParityError(
          () => codec.reconstruct(candidate as ParityParams, shards),
          "PARITY_INVALID_PARAMS",
        );
      }
    });

    it("still rebuilds exactly after every refusal (the library was never handed bad input)", () => {
      const rebuilt = codec.reconstruct(params, withLost(data, parity, [1, 2]));
      rebuilt.forEach((shard, i) => expect(sameBytes(shard, data[i] ?? new Uint8Array())).to.equal(true));
      expect(params.scheme).to.equal(PARITY_SCHEME);
    });
  });
});
