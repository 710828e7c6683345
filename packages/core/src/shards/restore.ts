import { shardEntries, type ParitySection } from "@disp/protocol";

import { checkShardBytes, type ShardMismatch } from "../codec/check.js";
import type { RebuildFileOptions, RebuiltImage } from "../codec/codec.js";
import { noFragments } from "../codec/errors.js";
import { rebuildImageFile } from "../codec/rebuild.js";
import type { Manifest } from "../manifest/schema.js";
import { encodeParity, reconstructData } from "../parity/codec.js";
import { ParityError } from "../parity/errors.js";
import type { ParityParams } from "../parity/scheme.js";

/**
 * How the fragments were had: "merge" every fragment present and verified; "parity" some rebuilt
 * exactly from the parity shards; "recovery" more shards lost than parity rebuilds, so the codec
 * estimates the missing fragments (approximate).
 */
export type ShardPath = "merge" | "parity" | "recovery";

/** A shard file that was there but is not the one the manifest names: an erasure, never used. */
export interface RejectedShard {
  readonly index: number;
  readonly code: ShardMismatch;
  readonly reason: string;
}

export interface RestoredFragments {
  /** The k fragment files: as given, rebuilt, or undefined where neither (path "recovery"). */
  readonly fragments: (Uint8Array | undefined)[];
  readonly path: ShardPath;
  /** Fragment indices rebuilt from parity, ascending. */
  readonly rebuilt: number[];
  /** Shard indices (0 .. k+m-1) absent or rejected, ascending. */
  readonly lost: number[];
  readonly rejected: RejectedShard[];
}

/**
 * Gets the k fragment files of a manifest from whichever of its k + m shards are at hand
 * (`shards[i]` is shard i in leaf order, undefined where absent). Every shard present is checked
 * against its entry first; one that fails is an erasure, never used. Up to m erasures: the missing
 * fragments are rebuilt exactly, and each is checked against its own entry (a mismatch is
 * PARITY_INCONSISTENT: the manifest's parity does not belong to its fragments). More: the verified
 * fragments only, for the codec's approximate recovery.
 */
export async function restoreFragments(
  manifest: Manifest,
  shards: readonly (Uint8Array | undefined)[],
): Promise<RestoredFragments> {
  const entries = shardEntries(manifest);
  if (shards.length !== entries.length) {
    throw new ParityError(
      "PARITY_INVALID_SHARDS",
      `the manifest has ${entries.length} shards, ${shards.length} given`,
    );
  }
  const rejected: RejectedShard[] = [];
  const verified = await Promise.all(
    entries.map(async (entry, i) => {
      const bytes = shards[i];
      if (bytes === undefined) return undefined;
      const mismatch = await checkShardBytes(entry, manifest.unixfs, bytes);
      if (mismatch === undefined) return bytes;
      rejected.push({ index: entry.index, ...mismatch });
      return undefined;
    }),
  );
  rejected.sort((a, b) => a.index - b.index);
  const lost = verified.flatMap((bytes, i) => (bytes === undefined ? [i] : []));
  const k = manifest.fragments.length;
  const given = verified.slice(0, k);
  const missingData = lost.filter((i) => i < k);
  const { parity } = manifest;
  if (missingData.length === 0 || parity === null || lost.length > parity.m) {
    const path = missingData.length === 0 ? "merge" : "recovery";
    return { fragments: given, path, rebuilt: [], lost, rejected };
  }

  const data = await reconstructData(paramsOf(parity), verified);
  for (const index of missingData) {
    const entry = manifest.fragments[index];
    const bytes = data[index];
    if (entry === undefined || bytes === undefined) continue;
    const mismatch = await checkShardBytes(entry, manifest.unixfs, bytes);
    if (mismatch !== undefined) {
      throw new ParityError(
        "PARITY_INCONSISTENT",
        `fragment ${index} rebuilt from parity ${mismatch.reason}: the manifest's parity shards do not belong to its fragments`,
      );
    }
  }
  return { fragments: data, path: "parity", rebuilt: missingData, lost, rejected };
}

/**
 * Any one shard of a version, data or parity, from whichever others are at hand: what a repair
 * puts on a replacement node. Checked against its own entry, so it has the leaf already on chain.
 * More than m lost: PARITY_TOO_MANY_LOST (nothing estimated: a repair must be exact).
 */
export async function restoreShard(
  manifest: Manifest,
  shards: readonly (Uint8Array | undefined)[],
  index: number,
): Promise<Uint8Array> {
  const entry = shardEntries(manifest)[index];
  if (entry === undefined) {
    throw new ParityError("PARITY_INVALID_SHARDS", `the manifest has no shard ${index}`);
  }
  const restored = await restoreFragments(manifest, shards);
  const { parity } = manifest;
  if (restored.path === "recovery" || (parity === null && restored.lost.length > 0)) {
    throw new ParityError(
      "PARITY_TOO_MANY_LOST",
      `shards [${restored.lost.join(", ")}] lost: more than the ${parity?.m ?? 0} parity rebuilds`,
    );
  }
  const k = manifest.fragments.length;
  const data = restored.fragments.filter((bytes) => bytes !== undefined);
  const bytes =
    index < k || parity === null ? data[index] : (await encodeParity(data, parity.m)).parity[index - k];
  const mismatch = bytes && (await checkShardBytes(entry, manifest.unixfs, bytes));
  if (bytes === undefined || mismatch !== undefined) {
    throw new ParityError(
      "PARITY_INCONSISTENT",
      `shard ${index} rebuilt ${mismatch?.reason ?? "empty"}: the manifest's parity shards do not belong to its fragments`,
    );
  }
  return bytes;
}

/** The library's parameters recorded in a manifest's `parity` section. */
export function paramsOf(section: ParitySection): ParityParams {
  const { scheme, k, m, shardLength, dataLengths } = section;
  return { scheme, k, m, shardLength, dataLengths: [...dataLengths] };
}

/**
 * A private version's plaintext side, as the client opened it with the content key: the sealed
 * manifest and how to decrypt fragment `index` (a wrong key or a changed ciphertext throws).
 */
export interface SealedContent {
  readonly manifest: Manifest;
  decrypt(index: number, ciphertext: Uint8Array): Promise<Uint8Array>;
}

/** A rebuilt image with how its shards were had. */
export interface ShardRebuiltImage extends RebuiltImage {
  readonly shards: RestoredFragments;
}

/**
 * Rebuilds the stored image from any of its k + m shard files: the fragments restored (exactly
 * from parity while at most m shards are lost or rejected), then the codec's merge, or its
 * approximate recovery when more are gone. `rejected` lists the fragments (not parity shards)
 * rejected, as rebuildImageFile does; `shards` says what happened to every shard. With `sealed`
 * (a private version), the shards are ciphertexts restored as they are, then each fragment is
 * decrypted and the sealed manifest's codec merges the plaintexts: nothing undecrypted reaches it.
 */
export async function rebuildFromShards(
  manifest: Manifest,
  shards: readonly (Uint8Array | undefined)[],
  options: RebuildFileOptions & { readonly sealed?: SealedContent } = {},
): Promise<ShardRebuiltImage> {
  const restored = await restoreFragments(manifest, shards);
  const k = manifest.fragments.length;
  const rejected = restored.rejected
    .filter((shard) => shard.index < k)
    .map(({ index, reason }) => ({ index, reason }));
  // The codec is handed verified files only, so it would not know why the others are gone.
  if (restored.fragments.every((fragment) => fragment === undefined)) throw noFragments(rejected);
  const { sealed } = options;
  const image =
    sealed === undefined
      ? await rebuildImageFile(manifest, restored.fragments, options)
      : await rebuildImageFile(
          sealed.manifest,
          await Promise.all(restored.fragments.map((bytes, index) => bytes && sealed.decrypt(index, bytes))),
          options,
        );
  return { ...image, rejected, shards: restored };
}
