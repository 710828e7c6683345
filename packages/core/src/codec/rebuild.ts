import { ImageError } from "../errors.js";
import { DEFAULT_MAX_PIXELS } from "../image/decode.js";
import type { Manifest } from "../manifest/schema.js";
import type { RebuildFileOptions, RebuiltImage } from "./codec.js";
import { codecOf } from "./registry.js";

/**
 * Rebuilds the stored image from its manifest and whatever fragment files were found (`files[i]`,
 * undefined when absent), with the codec the manifest names. Every present file is checked against
 * the manifest first; one that fails is rejected, reported and treated as missing, never used. All
 * fragments good: the exact result (the original file for the jpeg and file codecs); some missing:
 * an estimate, flagged approximate; none usable: CodecError NO_FRAGMENTS.
 */
export async function rebuildImageFile(
  manifest: Manifest,
  files: readonly (Uint8Array | undefined)[],
  options: RebuildFileOptions = {},
): Promise<RebuiltImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const { width, height } = manifest.image;
  const codec = codecOf(manifest.codec);
  // Only a pooling codec decodes to merge; the file codec's pixels() checks the limit itself.
  if (codec.pools && width * height > maxPixels) {
    throw new ImageError(
      "IMAGE_TOO_LARGE",
      `the manifest describes a ${width} × ${height} image, over the limit of ${maxPixels} pixels`,
    );
  }
  return codec.rebuild(manifest, files, { ...options, maxPixels });
}
