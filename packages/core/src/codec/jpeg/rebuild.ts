import { sha256Hex } from "@disp/protocol";

import { decodeImage } from "../../image/decode.js";
import { JpegFragmentError, JpegNoFragmentsError } from "../../jpeg/errors.js";
import { resolveLayout, type JpegLayout } from "../../jpeg/layout.js";
import { checkFragment, mergeJpeg } from "../../jpeg/merge.js";
import { recoverJpeg } from "../../jpeg/recover.js";
import type { Manifest } from "../../manifest/schema.js";
import { checkFragmentBytes } from "../check.js";
import { noFragments } from "../errors.js";
import { applyOrientation } from "../orient.js";
import { wholePng } from "../png-output.js";
import type { RebuiltImage, RejectedFragment, SettledRebuildOptions } from "../codec.js";

type Options = SettledRebuildOptions;

/**
 * The jpeg codec's read side: every fragment present and good → mergeJpeg, the original file, its
 * SHA-256 checked against the content hash (or, for a progressive file re-encoded, the same
 * coefficients in the file whose SHA-256 the layout records); otherwise recoverJpeg from what is good → a PNG of the
 * estimate, turned upright like a decode of the original so the two compare pixel for pixel.
 */
export async function rebuildJpeg(
  manifest: Manifest,
  layout: JpegLayout,
  files: readonly (Uint8Array | undefined)[],
  options: Options,
): Promise<RebuiltImage> {
  const { onProgress, signal } = options;
  const limits = { maxPixels: options.maxPixels };
  const resolved = resolveLayout(layout, limits);
  const total = manifest.fragments.length;
  const rejected: RejectedFragment[] = [];
  const good: (Uint8Array | undefined)[] = [];
  for (const entry of manifest.fragments) {
    signal?.throwIfAborted();
    const file = files[entry.index];
    const reason = file === undefined ? undefined : await checkFragmentBytes(manifest, entry.index, file);
    const slot = resolved.fragments[entry.index];
    // The bytes are the registered ones; a registered fragment that does not fit its slot is still never used.
    const fit =
      file === undefined || reason !== undefined || slot === undefined ? reason : fitReason(file, slot);
    if (fit !== undefined) rejected.push({ index: entry.index, reason: fit });
    good.push(fit === undefined ? file : undefined);
    onProgress?.({ phase: "verify", done: entry.index + 1, total });
  }

  if (good.every((file): file is Uint8Array => file !== undefined)) {
    signal?.throwIfAborted();
    const bytes = mergeOrReject(good, layout, limits, rejected);
    if (bytes !== undefined) {
      onProgress?.({ phase: "merge", done: 1, total: 1 });
      // A contentExact progressive file is checked against the SHA-256 its record holds instead.
      const fidelity = layout.progressive?.fidelity ?? "fileExact";
      const expected = fidelity === "fileExact" ? manifest.contentHash.digest : layout.progressive?.sha256;
      return {
        codec: "jpeg",
        bytes,
        extension: "jpg",
        exact: true,
        fidelity,
        contentHashVerified: sha256Hex(bytes) === expected,
        missing: [],
        rejected: [],
        estimatedPixels: 0,
        pixels: () => decodeImage(bytes, limits),
      };
    }
  }
  return recoverWhatIsLeft(good, layout, limits, rejected, options);

  function fitReason(file: Uint8Array, slot: (typeof resolved.fragments)[number]): string | undefined {
    try {
      checkFragment(file, resolved, slot);
      return undefined;
    } catch (error) {
      if (error instanceof JpegFragmentError) return `does not fit its slot: ${error.message}`;
      throw error;
    }
  }
}

/** The merged file, or undefined after moving the fragment whose scan did not decode to `rejected`. */
function mergeOrReject(
  good: (Uint8Array | undefined)[],
  layout: JpegLayout,
  limits: { maxPixels: number },
  rejected: RejectedFragment[],
): Uint8Array | undefined {
  try {
    return mergeJpeg(good as Uint8Array[], layout, limits);
  } catch (error) {
    if (!(error instanceof JpegFragmentError) || error.index === undefined) throw error;
    rejected.push({ index: error.index, reason: `does not decode: ${error.message}` });
    good[error.index] = undefined;
    return undefined;
  }
}

async function recoverWhatIsLeft(
  good: (Uint8Array | undefined)[],
  layout: JpegLayout,
  limits: { maxPixels: number },
  rejected: RejectedFragment[],
  options: Options,
): Promise<RebuiltImage> {
  // A fragment jpeg-js cannot decode is rejected and the recovery runs again without it.
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const recovery = recoverJpeg(good, layout, limits);
      options.onProgress?.({ phase: "merge", done: 1, total: 1 });
      const stored = { width: recovery.width, height: recovery.height, data: recovery.rgba };
      const image = applyOrientation(stored, recovery.orientation);
      rejected.sort((a, b) => a.index - b.index);
      return {
        codec: "jpeg",
        bytes: await wholePng(image),
        extension: "png",
        exact: false,
        fidelity: "approximate",
        contentHashVerified: false,
        missing: recovery.missing,
        rejected,
        estimatedPixels: recovery.estimatedPixels,
        pixels: () => Promise.resolve(image),
      };
    } catch (error) {
      if (error instanceof JpegNoFragmentsError) throw noFragments(rejected, error);
      if (!(error instanceof JpegFragmentError) || error.index === undefined || !good[error.index])
        throw error;
      rejected.push({ index: error.index, reason: `does not decode: ${error.message}` });
      good[error.index] = undefined;
    }
  }
}
