import { type RgbaImage } from "@disp/protocol";

import { PoolingError } from "../errors.js";
import { bytesOf, checkFragment, inputPixels32, type Fragment, type PoolingLayout } from "./layout.js";

/**
 * The inverse interleave: rebuilds the image bit-exactly from all kh·kw fragments, dropping the
 * padding. Fragments must come in index order with the layout's size.
 */
export function merge(layout: PoolingLayout, fragments: readonly Fragment[]): RgbaImage {
  if (fragments.length !== layout.fragmentCount) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `merge needs all ${layout.fragmentCount} fragments, got ${fragments.length}`,
    );
  }
  fragments.forEach((fragment, index) => checkFragment(layout, fragment, index));
  const { imageWidth: W, imageHeight: H, fragmentWidth: fw } = layout;
  const { height: kh, width: kw } = layout.kernel;
  const src = fragments.map((fragment) => inputPixels32(fragment.data));
  const out = new Uint32Array(W * H);
  const full = Math.floor(W / kw);
  const rest = W - full * kw; // image columns past the last whole group of kw
  for (let y = 0; y < H; y++) {
    const a = y % kh;
    const i = (y - a) / kh;
    const row = y * W;
    const o = i * fw;
    const base = a * kw;
    mergeRow(out, row, full, kw, src, base, o);
    for (let b = 0; b < rest; b++) {
      out[row + full * kw + b] = (src[base + b] as Uint32Array)[o + full] as number;
    }
  }
  return { width: W, height: H, data: bytesOf(out) };
}

/** Gathers `full` groups of kw pixels from fragments base .. base+kw-1 (row o) into out[row..]. */
function mergeRow(
  out: Uint32Array,
  row: number,
  full: number,
  kw: number,
  src: Uint32Array[],
  base: number,
  o: number,
): void {
  if (kw === 1) {
    out.set((src[base] as Uint32Array).subarray(o, o + full), row);
    return;
  }
  if (kw === 2) {
    const s0 = src[base] as Uint32Array;
    const s1 = src[base + 1] as Uint32Array;
    for (let j = 0, p = row; j < full; j++, p += 2) {
      out[p] = s0[o + j] as number;
      out[p + 1] = s1[o + j] as number;
    }
    return;
  }
  if (kw === 3) {
    const s0 = src[base] as Uint32Array;
    const s1 = src[base + 1] as Uint32Array;
    const s2 = src[base + 2] as Uint32Array;
    for (let j = 0, p = row; j < full; j++, p += 3) {
      out[p] = s0[o + j] as number;
      out[p + 1] = s1[o + j] as number;
      out[p + 2] = s2[o + j] as number;
    }
    return;
  }
  for (let b = 0; b < kw; b++) {
    const s = src[base + b] as Uint32Array;
    for (let j = 0, p = row + b; j < full; j++, p += kw) out[p] = s[o + j] as number;
  }
}
