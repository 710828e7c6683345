import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";
import fc from "fast-check";

import {
  SEGMENT_SIZE,
  challengedSegment,
  openSegment,
  segmentAt,
  segmentCount,
  segmentRoot,
  segmentTree,
  shardCommitment,
  verifySegment,
  type Hex32,
} from "@disp/protocol";

import { pseudoRandomBytes } from "../core/helpers.js";

const abi = AbiCoder.defaultAbiCoder();

/** The segment root built independently: the standard tree of [i, keccak256(segment i)] (ethers' keccak). */
function standardRoot(shard: Uint8Array): string {
  const values: [bigint, string][] = [];
  for (let i = 0; i * SEGMENT_SIZE < shard.length; i++) {
    values.push([BigInt(i), keccak256(shard.subarray(i * SEGMENT_SIZE, (i + 1) * SEGMENT_SIZE))]);
  }
  return StandardMerkleTree.of(values, ["uint256", "bytes32"]).root;
}

describe("segment commitments", function () {
  this.timeout(60_000);

  it("cuts a shard into 256-byte segments, the last one shorter and never padded", () => {
    expect([1, 255, 256, 257, 512, 2 * 1024 * 1024].map(segmentCount)).to.deep.equal([1, 1, 1, 2, 2, 8192]);
    const shard = pseudoRandomBytes(600, 1);
    expect([0, 1, 2].map((i) => segmentAt(shard, i).length)).to.deep.equal([256, 256, 88]);
  });

  it("has the root of OpenZeppelin's StandardMerkleTree over [index, keccak256(segment)]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer(), (length, seed) => {
        const shard = pseudoRandomBytes(length, seed);
        expect(segmentRoot(shard)).to.equal(standardRoot(shard));
      }),
      { numRuns: 40 },
    );
  });

  describe("an opening of a segment", () => {
    const shard = pseudoRandomBytes(3000, 7);
    const tree = segmentTree(shard);
    const root = tree.root;

    it("verifies for every segment, the short last one included", () => {
      for (let i = 0; i < segmentCount(shard.length); i++) {
        expect(verifySegment(root, openSegment(tree, shard, i)), `segment ${i}`).to.equal(true);
      }
    });

    it("is refused for another index, an altered byte or another shard's root", () => {
      const opening = openSegment(tree, shard, 3);
      expect(verifySegment(root, { ...opening, index: 4 })).to.equal(false);
      const altered = opening.segment.slice();
      altered[10] = (altered[10] ?? 0) ^ 1;
      expect(verifySegment(root, { ...opening, segment: altered })).to.equal(false);
      expect(verifySegment(segmentRoot(pseudoRandomBytes(3000, 8)), opening)).to.equal(false);
    });
  });

  it("commits a shard as keccak256(abi.encode(sha256, length, segmentRoot))", () => {
    const sha = keccak256("0x01") as Hex32;
    const root = keccak256("0x02") as Hex32;
    expect(shardCommitment(sha, 1234, root)).to.equal(
      keccak256(abi.encode(["bytes32", "uint256", "bytes32"], [sha, 1234, root])),
    );
  });

  it("challenges the segment uint256(keccak256(abi.encode(seed, image, version, shard))) mod count", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        fc.integer({ min: 1, max: 1 << 24 }),
        (image, length) => {
          const seed = keccak256(abi.encode(["uint256"], [image ^ 5n])) as Hex32;
          const draw = BigInt(
            keccak256(abi.encode(["bytes32", "uint256", "uint256", "uint256"], [seed, image, 3n, 2n])),
          );
          const index = challengedSegment(seed, image, 3n, 2, length);
          expect(index).to.equal(Number(draw % BigInt(segmentCount(length))));
          expect(index).to.be.below(segmentCount(length));
        },
      ),
      { numRuns: 100 },
    );
  });
});
