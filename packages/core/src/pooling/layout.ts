import { MAX_KERNEL_SIDE, PADDING_RULE, type Kernel, type PaddingRule } from "@disp/protocol";

import { PoolingError } from "../errors.js";

/** Everything split, merge and recovery need to agree on, derived from image size and kernel. */
export interface PoolingLayout {
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly kernel: Kernel;
  readonly fragmentWidth: number;
  readonly fragmentHeight: number;
  readonly fragmentCount: number;
  readonly padding: PaddingRule;
}

/** One fragment's pixels, RGBA like the image, fragmentWidth × fragmentHeight. */
export interface Fragment {
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function checkKernel(kernel: Kernel): Kernel {
  for (const side of [kernel.height, kernel.width]) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_KERNEL_SIDE) {
      throw new PoolingError(
        "KERNEL_INVALID",
        `kernel ${kernel.height}x${kernel.width} is out of range: each side must be an integer from 1 to ${MAX_KERNEL_SIDE}`,
      );
    }
  }
  return kernel;
}

/** Parses "2x2" / "3X4" (rows x columns). */
export function parseKernel(text: string): Kernel {
  const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(text);
  if (match === null) {
    throw new PoolingError(
      "KERNEL_INVALID",
      `kernel "${text}" is not of the form <rows>x<columns>, e.g. 2x2`,
    );
  }
  return checkKernel({ height: Number(match[1]), width: Number(match[2]) });
}

export function formatKernel(kernel: Kernel): string {
  return `${kernel.height}x${kernel.width}`;
}

export function poolingLayout(imageWidth: number, imageHeight: number, kernel: Kernel): PoolingLayout {
  checkKernel(kernel);
  if (!Number.isInteger(imageWidth) || !Number.isInteger(imageHeight) || imageWidth < 1 || imageHeight < 1) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `image size ${imageWidth} × ${imageHeight} is not a positive size`,
    );
  }
  return {
    imageWidth,
    imageHeight,
    kernel: { height: kernel.height, width: kernel.width },
    fragmentWidth: Math.ceil(imageWidth / kernel.width),
    fragmentHeight: Math.ceil(imageHeight / kernel.height),
    fragmentCount: kernel.height * kernel.width,
    padding: PADDING_RULE,
  };
}

/** Checks that `fragment` has the shape `layout` expects at position `index`. */
export function checkFragment(layout: PoolingLayout, fragment: Fragment, index: number): void {
  const expected = layout.fragmentWidth * layout.fragmentHeight * 4;
  if (
    fragment.index !== index ||
    fragment.width !== layout.fragmentWidth ||
    fragment.height !== layout.fragmentHeight ||
    fragment.data.length !== expected
  ) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `fragment ${index} is ${fragment.width} × ${fragment.height} (${fragment.data.length} bytes, index ` +
        `${fragment.index}); expected ${layout.fragmentWidth} × ${layout.fragmentHeight} at index ${index}`,
    );
  }
}

/**
 * A 32-bit view of RGBA input bytes: one element per pixel, so a pixel moves in one load and one
 * store. For reading only: a misaligned view (a Buffer from Node's pool) is copied once.
 */
export function inputPixels32(data: Uint8Array): Uint32Array {
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
  return new Uint32Array(data.slice().buffer, 0, data.byteLength >> 2);
}

/** RGBA bytes over a freshly allocated 32-bit pixel array (aligned by construction). */
export function bytesOf(pixels: Uint32Array): Uint8Array {
  return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}
