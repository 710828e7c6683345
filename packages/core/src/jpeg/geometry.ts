import type { Kernel } from "@disp/protocol";

import { JpegKernelError, JpegTooLargeError, JpegUnsupportedError } from "./errors.js";
import type { FrameComponent } from "./parse.js";

/** How a scan cuts the image into MCUs, and the blocks of each MCU. */
export interface McuGeometry {
  readonly width: number;
  readonly height: number;
  readonly mcuWidth: number;
  readonly mcuHeight: number;
  readonly mcusX: number;
  readonly mcusY: number;
  readonly blocksPerMcu: number;
  /** For each block of an MCU (in coding order), the index of its component. */
  readonly blockComponent: Uint8Array;
}

/** One fragment's place: its kernel offset, MCU grid and pixel size (cropped at the image edge). */
export interface FragmentGeometry {
  readonly index: number;
  readonly a: number;
  readonly b: number;
  readonly mcusX: number;
  readonly mcusY: number;
  readonly width: number;
  readonly height: number;
}

export function mcuGeometry(
  width: number,
  height: number,
  components: readonly FrameComponent[],
): McuGeometry {
  // A single-component scan is non-interleaved: its MCU is one 8x8 block whatever the sampling.
  if (components.length === 1) {
    return {
      width,
      height,
      mcuWidth: 8,
      mcuHeight: 8,
      mcusX: Math.ceil(width / 8),
      mcusY: Math.ceil(height / 8),
      blocksPerMcu: 1,
      blockComponent: new Uint8Array(1),
    };
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const blockComponent: number[] = [];
  components.forEach((c, index) => {
    for (let n = 0; n < c.h * c.v; n++) blockComponent.push(index);
  });
  return {
    width,
    height,
    mcuWidth: 8 * hMax,
    mcuHeight: 8 * vMax,
    mcusX: Math.ceil(width / (8 * hMax)),
    mcusY: Math.ceil(height / (8 * vMax)),
    blocksPerMcu: blockComponent.length,
    blockComponent: Uint8Array.from(blockComponent),
  };
}

/** Size limits checked from the header, before coefficients or pixels are allocated. */
export interface JpegLimits {
  /** Default 100 million, as jpeg-js (jimp) uses. */
  readonly maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;

export function checkSize(width: number, height: number, limits: JpegLimits = {}): void {
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (width * height > maxPixels) throw new JpegTooLargeError(width, height, maxPixels);
}

export function checkKernel(kernel: Kernel): void {
  for (const side of [kernel.height, kernel.width]) {
    if (!Number.isInteger(side) || side < 1 || side > 8) {
      throw new JpegKernelError(
        `kernel sides must be integers in 1..8, got ${kernel.height}x${kernel.width}`,
      );
    }
  }
}

/**
 * Fragment geometry for every kernel offset, the kernel counted in MCUs: fragment (a, b), index
 * a*kw+b, holds MCUs (i*kh+a, j*kw+b). Throws JpegUnsupportedError if a fragment would be empty.
 */
export function fragmentGeometries(geometry: McuGeometry, kernel: Kernel): FragmentGeometry[] {
  checkKernel(kernel);
  const { height: kh, width: kw } = kernel;
  if (geometry.mcusX < kw || geometry.mcusY < kh) {
    throw new JpegUnsupportedError(
      `image of ${geometry.mcusX}x${geometry.mcusY} MCUs is too small for a ${kh}x${kw} kernel`,
    );
  }
  const lastWidth = geometry.width - (geometry.mcusX - 1) * geometry.mcuWidth;
  const lastHeight = geometry.height - (geometry.mcusY - 1) * geometry.mcuHeight;
  const fragments: FragmentGeometry[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const mcusX = Math.ceil((geometry.mcusX - b) / kw);
      const mcusY = Math.ceil((geometry.mcusY - a) / kh);
      // The fragment holding the image's last MCU column (row) ends where the image ends.
      const holdsLastColumn = (geometry.mcusX - 1) % kw === b;
      const holdsLastRow = (geometry.mcusY - 1) % kh === a;
      fragments.push({
        index: a * kw + b,
        a,
        b,
        mcusX,
        mcusY,
        width: (mcusX - 1) * geometry.mcuWidth + (holdsLastColumn ? lastWidth : geometry.mcuWidth),
        height: (mcusY - 1) * geometry.mcuHeight + (holdsLastRow ? lastHeight : geometry.mcuHeight),
      });
    }
  }
  return fragments;
}

/** Global MCU indices of a fragment, in its own raster (coding) order. */
export function fragmentMcuOrder(
  geometry: McuGeometry,
  kernel: Kernel,
  fragment: FragmentGeometry,
): Int32Array {
  const order = new Int32Array(fragment.mcusX * fragment.mcusY);
  let n = 0;
  for (let i = 0; i < fragment.mcusY; i++) {
    const row = (i * kernel.height + fragment.a) * geometry.mcusX;
    for (let j = 0; j < fragment.mcusX; j++) order[n++] = row + j * kernel.width + fragment.b;
  }
  return order;
}
