import { isDispError, pixelHash, type RgbaImage } from "@disp/protocol";

import type { Manifest } from "../../manifest/schema.js";
import { checkFragmentBytes } from "../check.js";
import type { RejectedFragment } from "../codec.js";
import { poolingLayout, type Fragment, type PoolingLayout } from "../../pooling/layout.js";
import type { SamplePlane } from "../../pooling/samples.js";
import { storedPixels } from "./decode.js";
import { decodeDeepFragment } from "./deep.js";
import { recover } from "../../pooling/recover.js";
import type { OnProgress } from "../../progress.js";

export interface RebuildOptions {
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
}

export interface RebuildResult {
  readonly image: RgbaImage;
  /** Every fragment was present and verified: the pixels are the bit-exact merge. */
  readonly exact: boolean;
  /** exact, and the pixels hash to the manifest's content hash. */
  readonly pixelHashVerified: boolean;
  /** Fragments that were absent or rejected, ascending. */
  readonly missing: number[];
  /** Fragments whose file was there but did not match the manifest (never used). */
  readonly rejected: RejectedFragment[];
  readonly estimatedPixels: number;
}

/**
 * The read side of the pixel codec: verifies each fragment file that is present against its CID and
 * SHA-256 in the manifest (a mismatch is rejected and treated as missing, never used), decodes the
 * PNGs, then merges, or recovers the missing pixels (flagged approximate), and checks the pixel hash
 * of an exact result. `files[i]` is fragment i's bytes, or undefined when it is absent.
 */
export async function rebuildImage(
  manifest: Manifest,
  files: readonly (Uint8Array | undefined)[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { fragments, rejected } = await verifyPixelFragments(manifest, files, options);
  return recoverPixels(manifest, fragments, rejected, options);
}

/** The fragments of a pixel-codec manifest that passed every check (undefined otherwise), and why the others failed. */
export interface VerifiedPixelFragments {
  /** RGBA pixels of each (16-bit fragments: their samples' high bytes), for merge and recovery. */
  readonly fragments: (Fragment | undefined)[];
  /** The samples of each 16-bit fragment, when the manifest's fragments are 16-bit. */
  readonly planes?: (SamplePlane | undefined)[];
  readonly rejected: RejectedFragment[];
}

/** The verify half of rebuildImage: each present file checked and decoded, never trusted. */
export async function verifyPixelFragments(
  manifest: Manifest,
  files: readonly (Uint8Array | undefined)[],
  options: RebuildOptions = {},
): Promise<VerifiedPixelFragments> {
  const { onProgress, signal } = options;
  const total = manifest.fragments.length;
  const rejected: RejectedFragment[] = [];
  const fragments: (Fragment | undefined)[] = [];
  const deep = manifest.codec.name === "png" && manifest.codec.bitDepth === 16 ? manifest.codec : undefined;
  const planes: (SamplePlane | undefined)[] = [];
  const layout = poolingLayout(manifest.image.width, manifest.image.height, manifest.kernel);
  for (const entry of manifest.fragments) {
    signal?.throwIfAborted();
    const file = files[entry.index];
    let checked: Fragment | string | undefined;
    if (file !== undefined) {
      const reason = await checkFragmentBytes(manifest, entry.index, file);
      if (reason !== undefined) checked = reason;
      else if (deep === undefined) checked = await decodeFragmentFile(layout, entry.index, file);
      else {
        const decoded = await decodeDeepFragment(deep, layout, entry.index, file);
        checked = typeof decoded === "string" ? decoded : decoded.rgba;
        if (typeof decoded !== "string") planes[entry.index] = decoded.plane;
      }
    }
    if (typeof checked === "string") rejected.push({ index: entry.index, reason: checked });
    fragments.push(typeof checked === "string" ? undefined : checked);
    onProgress?.({ phase: "verify", done: entry.index + 1, total });
  }
  rejected.sort((a, b) => a.index - b.index);
  return deep === undefined ? { fragments, rejected } : { fragments, planes, rejected };
}

/** The recover half of rebuildImage: merge, or estimate what is missing, then check the pixel hash. */
export function recoverPixels(
  manifest: Manifest,
  fragments: readonly (Fragment | undefined)[],
  rejected: RejectedFragment[],
  options: RebuildOptions = {},
): RebuildResult {
  const layout = poolingLayout(manifest.image.width, manifest.image.height, manifest.kernel);
  const result = recover(layout, fragments);
  options.onProgress?.({ phase: "merge", done: 1, total: 1 });
  const pixelHashVerified = result.exact && pixelHash(result.image) === manifest.contentHash.digest;
  return { ...result, pixelHashVerified, rejected };
}

/**
 * The decoded fragment of a file already checked to be the one the manifest names (size, CID,
 * SHA-256) when it decodes to the layout's fragment size; otherwise why it was rejected. A file
 * that was registered but does not decode was registered broken.
 */
async function decodeFragmentFile(
  layout: PoolingLayout,
  index: number,
  file: Uint8Array,
): Promise<Fragment | string> {
  try {
    const image = await storedPixels(file);
    if (image.format !== "png") return `is a ${image.format.toUpperCase()} file, not PNG`;
    if (image.width !== layout.fragmentWidth || image.height !== layout.fragmentHeight) {
      return `decodes to ${image.width} × ${image.height}, expected ${layout.fragmentWidth} × ${layout.fragmentHeight}`;
    }
    return { index, width: image.width, height: image.height, data: image.data };
  } catch (error) {
    if (isDispError(error)) return `does not decode: ${error.message}`;
    throw error;
  }
}
