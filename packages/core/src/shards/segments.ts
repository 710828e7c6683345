import { SEGMENT_SCHEME, SEGMENT_SIZE, segmentRoot, type ProofsSection } from "@disp/protocol";

import { serializeManifest } from "../manifest/manifest.js";
import type { EncodedFragment, EncodedImage } from "../codec/codec.js";

/**
 * Adds the manifest's `proofs` section: the segment root of every shard the image is stored as, the
 * fragment files and then the parity shards (leaf order), so each shard's version-root leaf commits
 * to the root a node must later prove segments against. The one place the section is made: it needs
 * every shard's bytes, so it runs once they all exist (after parity).
 */
export function addSegmentRoots<
  T extends EncodedImage & { readonly parityShards: readonly EncodedFragment[] },
>(image: T): T {
  const shards = [...image.fragments, ...image.parityShards];
  const section: ProofsSection = {
    scheme: SEGMENT_SCHEME,
    segmentSize: SEGMENT_SIZE,
    roots: shards.map((shard) => segmentRoot(shard.bytes)),
  };
  const manifest = { ...image.manifest, proofs: section };
  return { ...image, manifest, manifestBytes: serializeManifest(manifest) };
}
