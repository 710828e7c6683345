import jpegJs from "jpeg-js";

import { JpegFragmentError, JpegNoFragmentsError } from "./errors.js";
import { fillUnknown } from "./fill.js";
import { checkFragment } from "./merge.js";
import { resolveLayout } from "./layout.js";
import type { JpegLayout, ResolvedLayout } from "./layout.js";
import type { FragmentGeometry, JpegLimits } from "./geometry.js";

export interface JpegRecovery {
  /** width x height x 4 bytes, alpha 255. */
  readonly rgba: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** True when some pixels are estimates rather than decoded. */
  readonly approximate: boolean;
  /** Indices of the fragments that were missing. */
  readonly missing: number[];
  /** Pixels estimated from their neighbours (those of the missing fragments' MCUs). */
  readonly estimatedPixels: number;
  /**
   * EXIF orientation of the original (1..8, 1 when none). `rgba` is as stored, not rotated; jimp
   * rotates its decode by this, so apply it before comparing with, or showing like, jimp's pixels.
   */
  readonly orientation: number;
}

/**
 * Decodes the fragments present to pixels and places their MCUs; the MCUs of missing fragments are
 * interpolated from the decoded ones around them. Pixels come from jpeg-js, the decoder jimp uses,
 * whose output for an MCU depends on that MCU's coefficients only: with every fragment present the
 * result equals jimp's decode of the original file, before the EXIF rotation jimp applies (see
 * `orientation`).
 */
export function recoverJpeg(
  fragments: readonly (Uint8Array | undefined)[],
  layout: JpegLayout,
  limits?: JpegLimits,
): JpegRecovery {
  const resolved = resolveLayout(layout, limits);
  const { width, height } = resolved.geometry;
  if (fragments.length !== resolved.fragments.length) {
    throw new JpegFragmentError(
      undefined,
      `expected ${resolved.fragments.length} slots, got ${fragments.length}`,
    );
  }
  const rgba = new Uint8Array(width * height * 4);
  const known = new Uint8Array(width * height);
  const missing: number[] = [];
  resolved.fragments.forEach((fragment, i) => {
    const bytes = fragments[i];
    if (bytes === undefined) missing.push(i);
    else placeFragment(rgba, known, bytes, resolved, fragment);
  });
  if (missing.length === resolved.fragments.length) throw new JpegNoFragmentsError();
  const estimatedPixels = missing.length === 0 ? 0 : fillUnknown(rgba, width, height, known);
  const { orientation } = resolved.parsed;
  return { rgba, width, height, approximate: missing.length > 0, missing, estimatedPixels, orientation };
}

function placeFragment(
  rgba: Uint8Array,
  known: Uint8Array,
  bytes: Uint8Array,
  resolved: ResolvedLayout,
  fragment: FragmentGeometry,
): void {
  checkFragment(bytes, resolved, fragment);
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpegJs.decode(bytes, { useTArray: true, formatAsRGBA: true });
  } catch (error) {
    throw new JpegFragmentError(fragment.index, `does not decode: ${(error as Error).message}`);
  }
  const { geometry, kernel } = resolved;
  const { mcuWidth, mcuHeight, width } = geometry;
  for (let i = 0; i < fragment.mcusY; i++) {
    const fy = i * mcuHeight;
    const y0 = (i * kernel.height + fragment.a) * mcuHeight;
    const rows = Math.min(mcuHeight, fragment.height - fy);
    for (let j = 0; j < fragment.mcusX; j++) {
      const fx = j * mcuWidth;
      const x0 = (j * kernel.width + fragment.b) * mcuWidth;
      const columns = Math.min(mcuWidth, fragment.width - fx);
      for (let r = 0; r < rows; r++) {
        const from = ((fy + r) * image.width + fx) * 4;
        const to = (y0 + r) * width + x0;
        rgba.set(image.data.subarray(from, from + columns * 4), to * 4);
        known.fill(1, to, to + columns);
      }
    }
  }
}
