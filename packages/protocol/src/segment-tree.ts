import { keccak_256 } from "@noble/hashes/sha3";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";

import { sha256Hex, type Hex32 } from "./hash.js";
import { proofFor, verifyLeaf, type DispMerkleTree } from "./merkle.js";
import { challengedSegment, keccakHex, segmentAt, segmentCount } from "./segments.js";

/**
 * The Merkle tree over a shard's segments. Its leaves are the StandardMerkleTree leaves of the
 * values [i, keccak256(segment i)] (see SEGMENT_SCHEME), hashed here with one buffer per shard and
 * handed to the same library's SimpleMerkleTree, which builds the identical tree (same root, same
 * proofs) in three quarters of the standard tree's time on the 8192 segments of a 2 MiB shard.
 */
export type SegmentTree = SimpleMerkleTree;

export function segmentTree(shard: Uint8Array): SegmentTree {
  if (shard.length === 0) throw new RangeError("a shard has at least one byte");
  const encoded = new Uint8Array(64);
  const index = new DataView(encoded.buffer);
  const leaves: Hex32[] = [];
  for (let i = 0; i < segmentCount(shard.length); i++) {
    // abi.encode(uint256 i, bytes32 h): i is below 2^32 (a shard is below 2^40 bytes).
    index.setUint32(28, i);
    encoded.set(keccak_256(segmentAt(shard, i)), 32);
    leaves.push(`0x${Buffer.from(keccak_256(keccak_256(encoded))).toString("hex")}`);
  }
  return SimpleMerkleTree.of(leaves);
}

/** A shard's segment root, what the manifest's `proofs.roots` records for it. */
export function segmentRoot(shard: Uint8Array): Hex32 {
  return segmentTree(shard).root as Hex32;
}

/** What a node sends for one challenged segment: its bytes and its proof up to the segment root. */
export interface SegmentOpening {
  readonly index: number;
  readonly segment: Uint8Array;
  readonly proof: Hex32[];
}

/** Segment `index` of a shard with its proof in `tree` (the shard's segmentTree). */
export function openSegment(tree: SegmentTree, shard: Uint8Array, index: number): SegmentOpening {
  return { index, segment: segmentAt(shard, index), proof: tree.getProof(index) as Hex32[] };
}

/** Checks an opening against a segment root with StandardMerkleTree's own verifier, as the contract does. */
export function verifySegment(root: string, opening: SegmentOpening): boolean {
  return verifyLeaf(root, opening.index, keccakHex(opening.segment), opening.proof);
}

/** A storage-proof answer for one shard, in the fields of the contract's `Answer`. */
export interface ShardAnswer {
  readonly imageId: bigint;
  readonly version: bigint;
  readonly shard: number;
  readonly segmentIndex: number;
  readonly segment: Uint8Array;
  readonly segmentProof: Hex32[];
  readonly sha256Digest: Hex32;
  readonly length: number;
  readonly segmentRoot: Hex32;
  readonly leafProof: Hex32[];
}

/**
 * The answer to an epoch's challenge of one shard from the shard's bytes: the segment `seed`
 * picks, its proof, and the leaf values with their proof in the version tree (which must have
 * the leaf [shard, shardCommitment(...)]).
 */
export function answerChallenge(params: {
  readonly seed: Hex32;
  readonly imageId: bigint;
  readonly version: bigint;
  readonly shard: number;
  readonly bytes: Uint8Array;
  readonly versionTree: DispMerkleTree;
}): ShardAnswer {
  const { seed, imageId, version, shard, bytes } = params;
  const tree = segmentTree(bytes);
  const segmentIndex = challengedSegment(seed, imageId, version, shard, bytes.length);
  const opening = openSegment(tree, bytes, segmentIndex);
  return {
    imageId,
    version,
    shard,
    segmentIndex,
    segment: opening.segment,
    segmentProof: opening.proof,
    sha256Digest: sha256Hex(bytes),
    length: bytes.length,
    segmentRoot: tree.root as Hex32,
    leafProof: proofFor(params.versionTree, shard),
  };
}
