import { shardEntries, type FragmentEntry } from "@disp/protocol";

import { maxFragmentBytes } from "../codec/registry.js";
import type { Manifest } from "../manifest/schema.js";

/** Shard `index` of a manifest in leaf order (fragments 0 .. k-1, parity k .. k+m-1), if it has one. */
export function shardEntry(manifest: Manifest, index: number): FragmentEntry | undefined {
  return shardEntries(manifest)[index];
}

/**
 * The largest file shard `index` of a manifest can be, from its geometry alone: a fragment's
 * codec bound, or for a parity shard (as long as the longest fragment) the largest of those.
 */
export function maxShardBytes(manifest: Manifest, index: number): number {
  const k = manifest.fragments.length;
  if (index < k) return maxFragmentBytes(manifest, index);
  let bound = 0;
  for (let i = 0; i < k; i++) bound = Math.max(bound, maxFragmentBytes(manifest, i));
  return bound;
}
