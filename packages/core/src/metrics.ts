import { type RgbaImage } from "@disp/protocol";

import { PoolingError } from "./errors.js";

/**
 * Peak signal-to-noise ratio in dB between two images of the same size, over the R, G and B
 * channels (alpha is not part of what a viewer sees as quality). Identical images give Infinity.
 */
export function psnr(reference: RgbaImage, estimate: RgbaImage): number {
  if (reference.width !== estimate.width || reference.height !== estimate.height) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `cannot compare a ${reference.width} × ${reference.height} image with a ${estimate.width} × ${estimate.height} one`,
    );
  }
  const a = reference.data;
  const b = estimate.data;
  let sum = 0;
  for (let p = 0; p < a.length; p += 4) {
    for (let c = 0; c < 3; c++) {
      const diff = (a[p + c] as number) - (b[p + c] as number);
      sum += diff * diff;
    }
  }
  const mse = sum / ((a.length / 4) * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
