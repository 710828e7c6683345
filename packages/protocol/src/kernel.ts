/** A pooling kernel: `height` rows by `width` columns, each 1..MAX_KERNEL_SIDE. */
export interface Kernel {
  readonly height: number;
  readonly width: number;
}

export const MAX_KERNEL_SIDE = 8;

/**
 * How the image edges are filled when the size is not a multiple of the kernel: fragments all get
 * ceil(H / kh) × ceil(W / kw) pixels, and a position past the image edge repeats the nearest image
 * pixel (coordinates clamped). Recorded in the manifest as `padding`.
 */
export const PADDING_RULE = "edge-replicate";
export type PaddingRule = typeof PADDING_RULE;
