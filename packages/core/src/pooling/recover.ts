import { PoolingError } from "../errors.js";
import type { RgbaImage } from "../image/types.js";
import { bytesOf, checkFragment, inputPixels32, type Fragment, type PoolingLayout } from "./layout.js";
import { merge } from "./merge.js";

export interface RecoveryResult {
  readonly image: RgbaImage;
  /** True when every fragment was present: the image is the bit-exact merge. */
  readonly exact: boolean;
  /** Indices of the fragments that were absent, ascending. */
  readonly missing: number[];
  /** Image pixels whose value was estimated rather than copied from a fragment. */
  readonly estimatedPixels: number;
}

/** Known pixel marks: 0 = unknown, 1 = from a fragment, p + 1 = estimated in pass p. */
const PRESENT = 1;

/**
 * Rebuilds the image from any non-empty subset of fragments (an absent one is `undefined`). Pixels
 * of present fragments are copied untouched; each missing pixel is estimated from the nearest known
 * pixels along its row and its column, weighted towards the direction with the smaller gradient
 * (edge-directed interpolation), so edges stay sharp instead of blurring across. Pixels with no
 * known neighbour in either direction (e.g. 1 of 4 fragments left) are filled in a later pass from
 * the previous pass's estimates, which amounts to bilinear interpolation between present pixels.
 */
export function recover(layout: PoolingLayout, fragments: readonly (Fragment | undefined)[]): RecoveryResult {
  if (fragments.length !== layout.fragmentCount) {
    throw new PoolingError(
      "FRAGMENTS_INVALID",
      `expected ${layout.fragmentCount} fragment slots (absent ones undefined), got ${fragments.length}`,
    );
  }
  const missing: number[] = [];
  fragments.forEach((fragment, index) => {
    if (fragment === undefined) missing.push(index);
    else checkFragment(layout, fragment, index);
  });
  if (missing.length === layout.fragmentCount) {
    throw new PoolingError("FRAGMENTS_NONE_PRESENT", "no fragment is present: nothing to recover from");
  }
  if (missing.length === 0) {
    return { image: merge(layout, fragments as Fragment[]), exact: true, missing, estimatedPixels: 0 };
  }

  const { imageWidth: W, imageHeight: H } = layout;
  const out = new Uint32Array(W * H);
  const known = new Uint8Array(W * H);
  const present = placePresent(layout, fragments, out, known);
  const estimatedPixels = W * H - present;
  if (present === 0) fillFromPadding(out, fragments);
  else estimate(out, known, W, H, layout.kernel.width, layout.kernel.height, estimatedPixels);
  return { image: { width: W, height: H, data: bytesOf(out) }, exact: false, missing, estimatedPixels };
}

/** Copies the present fragments' image pixels into place and marks them; returns how many. */
function placePresent(
  layout: PoolingLayout,
  fragments: readonly (Fragment | undefined)[],
  out: Uint32Array,
  known: Uint8Array,
): number {
  const { imageWidth: W, imageHeight: H, fragmentWidth: fw } = layout;
  const { height: kh, width: kw } = layout.kernel;
  let count = 0;
  fragments.forEach((fragment, index) => {
    if (fragment === undefined) return;
    const src = inputPixels32(fragment.data);
    const a = Math.floor(index / kw);
    const b = index % kw;
    for (let i = 0, y = a; y < H; i++, y += kh) {
      for (let j = 0, x = b; x < W; j++, x += kw) {
        out[y * W + x] = src[i * fw + j] as number;
        known[y * W + x] = PRESENT;
        count++;
      }
    }
  });
  return count;
}

/**
 * Only possible when the image is narrower or shorter than the kernel and every present fragment
 * holds padding alone: padding repeats real edge pixels, so their average is the best guess.
 */
function fillFromPadding(out: Uint32Array, fragments: readonly (Fragment | undefined)[]): void {
  const sum = [0, 0, 0, 0];
  let n = 0;
  for (const fragment of fragments) {
    if (fragment === undefined) continue;
    for (let p = 0; p < fragment.data.length; p += 4) {
      for (let c = 0; c < 4; c++) sum[c] = (sum[c] as number) + (fragment.data[p + c] as number);
      n++;
    }
  }
  const bytes = bytesOf(out);
  for (let p = 0; p < bytes.length; p += 4) {
    for (let c = 0; c < 4; c++) bytes[p + c] = Math.round((sum[c] as number) / n);
  }
}

/** Runs estimation passes until every pixel is known. */
function estimate(
  out: Uint32Array,
  known: Uint8Array,
  W: number,
  H: number,
  kw: number,
  kh: number,
  unknown: number,
): void {
  // Within a pass the nearest known pixel is at most one kernel period away; if a pass fills
  // nothing (tiny images, where the period runs off the edge) search the whole row and column.
  let reachX = kw;
  let reachY = kh;
  let remaining = unknown;
  for (let pass = 1; remaining > 0; pass++) {
    const filled = estimatePass(out, known, W, H, pass, reachX, reachY);
    if (filled === 0) {
      if (reachX === W && reachY === H) throw new Error("unreachable: some pixel is known");
      reachX = W;
      reachY = H;
    }
    remaining -= filled;
  }
}

function estimatePass(
  out: Uint32Array,
  known: Uint8Array,
  W: number,
  H: number,
  pass: number,
  reachX: number,
  reachY: number,
): number {
  const mark = pass + 1;
  const usable = (m: number) => m !== 0 && m <= pass; // estimates of this pass are not used yet
  let filled = 0;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) {
      const at = row + x;
      if (known[at] !== 0) continue;
      let dl = 0;
      for (let d = 1; d <= reachX && x - d >= 0; d++)
        if (usable(known[at - d] as number)) {
          dl = d;
          break;
        }
      let dr = 0;
      for (let d = 1; d <= reachX && x + d < W; d++)
        if (usable(known[at + d] as number)) {
          dr = d;
          break;
        }
      let du = 0;
      for (let d = 1; d <= reachY && y - d >= 0; d++)
        if (usable(known[at - d * W] as number)) {
          du = d;
          break;
        }
      let dd = 0;
      for (let d = 1; d <= reachY && y + d < H; d++)
        if (usable(known[at + d * W] as number)) {
          dd = d;
          break;
        }
      if (dl + dr + du + dd === 0) continue;
      out[at] = blend(
        dl === 0 ? -1 : (out[at - dl] as number),
        dl,
        dr === 0 ? -1 : (out[at + dr] as number),
        dr,
        du === 0 ? -1 : (out[at - du * W] as number),
        du,
        dd === 0 ? -1 : (out[at + dd * W] as number),
        dd,
      );
      known[at] = mark;
      filled++;
    }
  }
  return filled;
}

/**
 * Interpolates one pixel from up to four known neighbours (-1 = none) at the given distances:
 * linear along the row and along the column, then the two blended with weights that fall with each
 * direction's gradient, so the estimate follows edges. A direction with a neighbour on one side
 * only (at the image border) counts only when the other direction has nothing better.
 */
function blend(
  l: number,
  dl: number,
  r: number,
  dr: number,
  u: number,
  du: number,
  d: number,
  dd: number,
): number {
  const horizontal = l !== -1 && r !== -1;
  const vertical = u !== -1 && d !== -1;
  let gh = 0;
  let gv = 0;
  if (horizontal) gh = gradient(l, r) / (dl + dr);
  if (vertical) gv = gradient(u, d) / (du + dd);
  let wh: number;
  let wv: number;
  if (horizontal && vertical) {
    wh = 1 / (1 + gh);
    wv = 1 / (1 + gv);
  } else if (horizontal || vertical) {
    wh = horizontal ? 1 : 0;
    wv = vertical ? 1 : 0;
  } else {
    wh = l !== -1 || r !== -1 ? 1 : 0;
    wv = u !== -1 || d !== -1 ? 1 : 0;
  }
  let result = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const h = line(l, dl, r, dr, shift);
    const v = line(u, du, d, dd, shift);
    const value = (h * wh + v * wv) / (wh + wv);
    result |= Math.round(value) << shift;
  }
  return result >>> 0;
}

/** Linear interpolation of one channel between two neighbours; one neighbour's value if alone. */
function line(p: number, dp: number, q: number, dq: number, shift: number): number {
  if (p === -1) return q === -1 ? 0 : (q >>> shift) & 255;
  if (q === -1) return (p >>> shift) & 255;
  return (((p >>> shift) & 255) * dq + ((q >>> shift) & 255) * dp) / (dp + dq);
}

/** Sum of absolute channel differences between two pixels. */
function gradient(p: number, q: number): number {
  let sum = 0;
  for (let shift = 0; shift < 32; shift += 8) sum += Math.abs(((p >>> shift) & 255) - ((q >>> shift) & 255));
  return sum;
}
