import { sha256Hex } from "@disp/protocol";

import { ImageError } from "../errors.js";
import { DEFAULT_MAX_PIXELS, decodeImage } from "../image/decode.js";
import type { Manifest } from "../manifest/schema.js";
import { recoverPixels, verifyPixelFragments, type RejectedFragment } from "../rebuild-pipeline.js";
import { checkFragmentBytes } from "./check.js";
import { noFragments } from "./errors.js";
import { wholePng } from "./png-output.js";
import { rebuildJpeg } from "./rebuild-jpeg.js";
import { FORMAT_EXTENSIONS, type RebuildFileOptions, type RebuiltImage } from "./types.js";

/**
 * Rebuilds the stored image from its manifest and whatever fragment files were found (`files[i]`,
 * undefined when absent). Every present file is checked against the manifest first; one that fails
 * is rejected, reported and treated as missing, never used. All fragments good: the exact result
 * (the original file for the jpeg and file codecs); some missing: an estimate, flagged approximate;
 * none usable: CodecError NO_FRAGMENTS.
 */
export async function rebuildImageFile(
  manifest: Manifest,
  files: readonly (Uint8Array | undefined)[],
  options: RebuildFileOptions = {},
): Promise<RebuiltImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const { width, height } = manifest.image;
  if (width * height > maxPixels) {
    throw new ImageError(
      "IMAGE_TOO_LARGE",
      `the manifest describes a ${width} × ${height} image, over the limit of ${maxPixels} pixels`,
    );
  }
  const settled = { ...options, maxPixels };
  const { codec } = manifest;
  if (codec.name === "png") return rebuildPixels(manifest, files, settled);
  if (codec.name === "jpeg") return rebuildJpeg(manifest, codec.layout, files, settled);
  return rebuildFile(manifest, codec.format, files, settled);
}

async function rebuildPixels(
  manifest: Manifest,
  files: readonly (Uint8Array | undefined)[],
  options: RebuildFileOptions,
): Promise<RebuiltImage> {
  const { fragments, rejected } = await verifyPixelFragments(manifest, files, options);
  if (fragments.every((fragment) => fragment === undefined)) throw noFragments(rejected);
  const result = recoverPixels(manifest, fragments, rejected, options);
  const { image } = result;
  return {
    codec: "png",
    bytes: await wholePng(image),
    extension: "png",
    exact: result.exact,
    contentHashVerified: result.pixelHashVerified,
    missing: result.missing,
    rejected: result.rejected,
    estimatedPixels: result.estimatedPixels,
    pixels: () => Promise.resolve(image),
  };
}

async function rebuildFile(
  manifest: Manifest,
  format: keyof typeof FORMAT_EXTENSIONS,
  files: readonly (Uint8Array | undefined)[],
  options: Required<Pick<RebuildFileOptions, "maxPixels">> & RebuildFileOptions,
): Promise<RebuiltImage> {
  options.signal?.throwIfAborted();
  const file = files[0];
  const reason = file === undefined ? undefined : await checkFragmentBytes(manifest, 0, file);
  options.onProgress?.({ phase: "verify", done: 1, total: 1 });
  const rejected: RejectedFragment[] = reason === undefined ? [] : [{ index: 0, reason }];
  if (file === undefined || reason !== undefined) throw noFragments(rejected);
  options.onProgress?.({ phase: "merge", done: 1, total: 1 });
  return {
    codec: "file",
    bytes: file,
    extension: FORMAT_EXTENSIONS[format],
    exact: true,
    contentHashVerified: sha256Hex(file) === manifest.contentHash.digest,
    missing: [],
    rejected: [],
    estimatedPixels: 0,
    pixels: () => decodeImage(file, { maxPixels: options.maxPixels }),
  };
}
