import type { Kernel } from "@disp/protocol";

import { PoolingError } from "../errors.js";
import { poolingLayout, type PoolingLayout } from "./layout.js";

/**
 * Pooling on pixels of any even number of bytes (16-bit samples: 2, 4, 6 or 8 bytes a pixel), the
 * same interleave and edge padding as `split`/`merge` on RGBA: fragment a·kw + b holds image pixels
 * (i·kh + a, j·kw + b), positions past the edge repeating the nearest pixel.
 */
export interface SamplePlane {
  readonly width: number;
  readonly height: number;
  readonly bytesPerPixel: number;
  readonly data: Uint8Array;
}

function words(data: Uint8Array): Uint16Array {
  const aligned = data.byteOffset % 2 === 0 ? data : data.slice();
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
}

function checkPlane(plane: SamplePlane): number {
  const { width, height, bytesPerPixel, data } = plane;
  if (bytesPerPixel % 2 !== 0 || bytesPerPixel < 2 || data.length !== width * height * bytesPerPixel) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `${width} × ${height} pixels of ${bytesPerPixel} bytes cannot be ${data.length} bytes`,
    );
  }
  return bytesPerPixel >> 1;
}

/** Splits a plane into the layout's fragments (each fragmentWidth × fragmentHeight of the same bytes per pixel). */
export function splitSamples(
  plane: SamplePlane,
  kernel: Kernel,
): { layout: PoolingLayout; fragments: SamplePlane[] } {
  const wpp = checkPlane(plane);
  const layout = poolingLayout(plane.width, plane.height, kernel);
  const { imageWidth: W, imageHeight: H, fragmentWidth: fw, fragmentHeight: fh } = layout;
  const { height: kh, width: kw } = layout.kernel;
  const src = words(plane.data);
  const out = Array.from({ length: layout.fragmentCount }, () => new Uint16Array(fw * fh * wpp));
  for (let i = 0; i < fh; i++) {
    for (let a = 0; a < kh; a++) {
      const y = Math.min(i * kh + a, H - 1);
      for (let b = 0; b < kw; b++) {
        const dst = out[a * kw + b] as Uint16Array;
        let o = i * fw * wpp;
        for (let j = 0; j < fw; j++) {
          let s = (y * W + Math.min(j * kw + b, W - 1)) * wpp;
          for (let w = 0; w < wpp; w++) dst[o++] = src[s++] as number;
        }
      }
    }
  }
  const fragments = out.map((pixels) => ({
    width: fw,
    height: fh,
    bytesPerPixel: plane.bytesPerPixel,
    data: new Uint8Array(pixels.buffer),
  }));
  return { layout, fragments };
}

/** The inverse: the image from all its fragments, padding dropped. */
export function mergeSamples(layout: PoolingLayout, fragments: readonly SamplePlane[]): SamplePlane {
  if (fragments.length !== layout.fragmentCount) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `merge needs all ${layout.fragmentCount} fragments, got ${fragments.length}`,
    );
  }
  const bytesPerPixel = fragments[0]?.bytesPerPixel ?? 2;
  const { imageWidth: W, imageHeight: H, fragmentWidth: fw, fragmentHeight: fh } = layout;
  const src = fragments.map((fragment) => {
    if (fragment.width !== fw || fragment.height !== fh || fragment.bytesPerPixel !== bytesPerPixel) {
      throw new PoolingError(
        "FRAGMENTS_INVALID",
        `a fragment is ${fragment.width} × ${fragment.height}, expected ${fw} × ${fh}`,
      );
    }
    checkPlane(fragment);
    return words(fragment.data);
  });
  const wpp = bytesPerPixel >> 1;
  const { height: kh, width: kw } = layout.kernel;
  const out = new Uint16Array(W * H * wpp);
  let o = 0;
  for (let y = 0; y < H; y++) {
    const a = y % kh;
    const i = (y - a) / kh;
    for (let x = 0; x < W; x++) {
      const b = x % kw;
      const j = (x - b) / kw;
      const from = src[a * kw + b] as Uint16Array;
      let s = (i * fw + j) * wpp;
      for (let w = 0; w < wpp; w++) out[o++] = from[s++] as number;
    }
  }
  return { width: W, height: H, bytesPerPixel, data: new Uint8Array(out.buffer) };
}
