import { keccak_256 } from "@noble/hashes/sha3";
import { z } from "zod";

import type { Hex32 } from "./hash.js";
import { MAX_VERSION_SHARDS } from "./parity.js";
import { hex32 } from "./shard.js";

/**
 * The one segment-commitment scheme. Each shard file is cut into SEGMENT_SIZE-byte segments, the
 * last one shorter (never padded: its length follows from the shard's length, which the leaf
 * commits to). Segment i's value is [i, keccak256(segment i)], and the segment root is the root of
 * `StandardMerkleTree.of(values, ["uint256", "bytes32"])` (npm openzeppelin/merkle-tree): a leaf is
 * keccak256(bytes.concat(keccak256(abi.encode(i, keccak256(segment))))), inner nodes hash their two
 * children sorted, which is what OpenZeppelin's `MerkleProof.verifyCalldata` checks. The index in
 * the leaf binds the segment to its position, so a node cannot answer with another segment.
 */
export const SEGMENT_SCHEME = "disp-segments-keccak256@1";

/** Bytes per segment: a 2 MiB shard has 8192 segments, a proof of depth 13. */
export const SEGMENT_SIZE = 256;

/**
 * The manifest's `proofs` section: one segment root per shard in leaf order (the fragments, then
 * the parity shards), so `roots[i]` belongs to the shard whose leaf index is i.
 */
export const proofsSectionSchema = z.strictObject({
  scheme: z.literal(SEGMENT_SCHEME),
  segmentSize: z.literal(SEGMENT_SIZE),
  roots: z.array(hex32).min(1).max(MAX_VERSION_SHARDS),
});

export type ProofsSection = z.infer<typeof proofsSectionSchema>;

/** How many segments a shard of `length` bytes has (the last may be shorter). */
export function segmentCount(length: number): number {
  return Math.ceil(length / SEGMENT_SIZE);
}

/** The bytes of segment `index` of `shard` (SEGMENT_SIZE of them, fewer for the last). */
export function segmentAt(shard: Uint8Array, index: number): Uint8Array {
  return shard.subarray(index * SEGMENT_SIZE, Math.min(shard.length, (index + 1) * SEGMENT_SIZE));
}

export function keccakHex(bytes: Uint8Array): Hex32 {
  return `0x${Buffer.from(keccak_256(bytes)).toString("hex")}`;
}

function word(value: bigint): Uint8Array {
  if (value < 0n || value >= 2n ** 256n) throw new RangeError(`${value} is not a uint256`);
  return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}

/** abi.encode of static 32-byte words (uint256 and bytes32 alike): their concatenation. */
function abiWords(values: readonly (bigint | Hex32)[]): Uint8Array {
  return Buffer.concat(values.map((value) => word(typeof value === "bigint" ? value : BigInt(value))));
}

/**
 * The digest in a shard's version-root leaf when the manifest has a `proofs` section:
 * keccak256(abi.encode(bytes32 sha256(shard), uint256 length, bytes32 segmentRoot)). The leaf keeps
 * its shape [index, digest], so the registry's verifyFragment checks it unchanged; the contract
 * that checks storage proofs rebuilds it from the three values a node sends.
 */
export function shardCommitment(sha256: Hex32, length: number, segmentRoot: Hex32): Hex32 {
  return keccakHex(abiWords([sha256, BigInt(length), segmentRoot]));
}

/**
 * The segment of a shard an epoch challenges (Sia's rule: it follows from the seed, so a node
 * cannot know it before the epoch opens): uint256(keccak256(abi.encode(seed, imageId, version,
 * shard))) mod segmentCount(length). The contract computes the same.
 */
export function challengedSegment(
  seed: Hex32,
  imageId: bigint,
  version: bigint,
  shard: number,
  length: number,
): number {
  const draw = BigInt(keccakHex(abiWords([seed, imageId, version, BigInt(shard)])));
  return Number(draw % BigInt(segmentCount(length)));
}
