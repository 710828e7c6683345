import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { sha256Hex, type Hex32 } from "./hash.js";
import { shardEntries } from "./parity.js";
import { shardCommitment, type ProofsSection } from "./segments.js";
import type { FragmentEntry } from "./shard.js";

/** What the leaves of a version are made from: its shards and, when present, their segment roots. */
export interface LeafSource {
  readonly fragments: readonly FragmentEntry[];
  readonly parity?: { readonly shards: readonly FragmentEntry[] } | null;
  readonly proofs?: Pick<ProofsSection, "roots"> | null;
}

/**
 * The leaf index that carries the manifest's hash, next to the shard leaves: fragments 0 .. k-1,
 * parity shards k .. k+m-1.
 */
export const MANIFEST_LEAF_INDEX = 2n ** 256n - 1n;

/** Leaf encoding shared with the contract: keccak256(bytes.concat(keccak256(abi.encode(index, digest)))). */
export const LEAF_ENCODING = ["uint256", "bytes32"] as const;

/** One leaf value: [index, sha256 digest as 0x hex]. */
export type LeafValue = [bigint, string];
export type DispMerkleTree = StandardMerkleTree<LeafValue>;

/**
 * The digest in the leaf of shard `index` (its leaf index): sha256(shard file) without a `proofs`
 * section, else the commitment to that digest, the shard's length and its segment root
 * (shardCommitment). Undefined when the version has no such shard.
 */
export function shardLeafDigest(manifest: LeafSource, index: number): Hex32 | undefined {
  const shards = shardEntries(manifest);
  const shard = shards[index];
  if (shard === undefined) return undefined;
  if (manifest.proofs == null) return shard.sha256;
  const root = manifest.proofs.roots[index];
  if (root === undefined) throw new RangeError(`the proofs section has no root for shard ${index}`);
  return shardCommitment(shard.sha256, shard.size, root);
}

/**
 * The leaves of an image version: [i, shardLeafDigest(i)] for every shard (the fragments, then the
 * parity shards if any), then [MANIFEST_LEAF_INDEX, sha256(canonical manifest bytes)], so the root
 * commits to every shard (with proofs: to its length and segment root too) and to the manifest
 * (size, kernel, codec, content hash, CIDs, parity, segment roots).
 */
export function merkleValues(manifest: LeafSource, manifestBytes: Uint8Array): LeafValue[] {
  const values: LeafValue[] = shardEntries(manifest).map((shard, position) => [
    BigInt(shard.index),
    shardLeafDigest(manifest, position) ?? shard.sha256,
  ]);
  values.push([MANIFEST_LEAF_INDEX, sha256Hex(manifestBytes)]);
  return values;
}

export function buildTree(values: LeafValue[]): DispMerkleTree {
  return StandardMerkleTree.of(values, [...LEAF_ENCODING]);
}

/** The proof for the leaf with `index` (a shard index or MANIFEST_LEAF_INDEX). */
export function proofFor(tree: DispMerkleTree, index: bigint | number): `0x${string}`[] {
  const wanted = BigInt(index);
  for (const [position, value] of tree.entries()) {
    if (value[0] === wanted) return tree.getProof(position) as `0x${string}`[];
  }
  throw new RangeError(`the tree has no leaf with index ${wanted}`);
}

/** Checks a leaf [index, digest] against a root, exactly as the contract's MerkleProof does. */
export function verifyLeaf(
  root: string,
  index: bigint | number,
  digest: string,
  proof: readonly string[],
): boolean {
  try {
    return StandardMerkleTree.verify(root, [...LEAF_ENCODING], [BigInt(index), digest], [...proof]);
  } catch {
    return false;
  }
}
