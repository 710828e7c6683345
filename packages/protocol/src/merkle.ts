import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { sha256Hex } from "./hash.js";
import type { FragmentEntry } from "./manifest.js";

/** The leaf index that carries the manifest's hash, next to fragment leaves 0 .. n-1. */
export const MANIFEST_LEAF_INDEX = 2n ** 256n - 1n;

/** Leaf encoding shared with the contract: keccak256(bytes.concat(keccak256(abi.encode(index, digest)))). */
export const LEAF_ENCODING = ["uint256", "bytes32"] as const;

/** One leaf value: [index, sha256 digest as 0x hex]. */
export type LeafValue = [bigint, string];
export type DispMerkleTree = StandardMerkleTree<LeafValue>;

/**
 * The leaves of an image version: [i, sha256(fragment file i)] for every fragment, then
 * [MANIFEST_LEAF_INDEX, sha256(canonical manifest bytes)], so the root commits to every fragment and
 * to the manifest (size, kernel, codec, content hash, fragment CIDs).
 */
export function merkleValues(
  manifest: { readonly fragments: readonly FragmentEntry[] },
  manifestBytes: Uint8Array,
): LeafValue[] {
  const values: LeafValue[] = manifest.fragments.map((fragment) => [BigInt(fragment.index), fragment.sha256]);
  values.push([MANIFEST_LEAF_INDEX, sha256Hex(manifestBytes)]);
  return values;
}

export function buildTree(values: LeafValue[]): DispMerkleTree {
  return StandardMerkleTree.of(values, [...LEAF_ENCODING]);
}

/** The proof for the leaf with `index` (a fragment index or MANIFEST_LEAF_INDEX). */
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
