/**
 * Estimates unknown pixels of an RGBA image from known ones. Each unknown pixel takes the
 * inverse-distance weighted mean of the nearest known pixel in each of the four directions along its
 * row and column; on a line that is linear interpolation between the two sides. Pixels with no known
 * pixel in any direction (e.g. when a whole band of MCU rows and columns is lost) are filled in a
 * further pass from the ones estimated before.
 *
 * `known` holds 1 for known pixels and is updated to 1 everywhere. Returns the number of pixels filled.
 */
export function fillUnknown(rgba: Uint8Array, width: number, height: number, known: Uint8Array): number {
  let filled = 0;
  for (;;) {
    const passFilled = fillPass(rgba, width, height, known);
    if (passFilled === 0) return filled;
    filled += passFilled;
  }
}

const PENDING = 2;

function fillPass(rgba: Uint8Array, width: number, height: number, known: Uint8Array): number {
  // Sum of weights of the horizontal estimates; the estimates themselves wait in `rgba`.
  const horizontal = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (known[row + x] === 1) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && known[row + x] !== 1) x++;
      interpolateRun(rgba, horizontal, row + start - 1, row + x, 1, start > 0, x < width, x - start, false);
    }
  }
  let filled = 0;
  for (let x = 0; x < width; x++) {
    let y = 0;
    while (y < height) {
      if (known[y * width + x] === 1) {
        y++;
        continue;
      }
      const start = y;
      while (y < height && known[y * width + x] !== 1) y++;
      const before = (start - 1) * width + x;
      interpolateRun(rgba, horizontal, before, y * width + x, width, start > 0, y < height, y - start, true);
      for (let i = start; i < y; i++) {
        const p = i * width + x;
        if (horizontal[p] !== 0) {
          known[p] = PENDING;
          filled++;
        }
      }
    }
  }
  for (let p = 0; p < known.length; p++) if (known[p] === PENDING) known[p] = 1;
  return filled;
}

/**
 * Estimates the `length` unknown pixels between `before` and `after` (pixel indices, `step` apart).
 * The horizontal pass stores its estimate and weight; the vertical pass blends its own in.
 */
function interpolateRun(
  rgba: Uint8Array,
  weights: Float32Array,
  before: number,
  after: number,
  step: number,
  hasBefore: boolean,
  hasAfter: boolean,
  length: number,
  blend: boolean,
): void {
  if (!hasBefore && !hasAfter) return;
  for (let i = 1; i <= length; i++) {
    const p = before + i * step;
    const wBefore = hasBefore ? 1 / i : 0;
    const wAfter = hasAfter ? 1 / (length + 1 - i) : 0;
    const weight = wBefore + wAfter;
    const previous = blend ? (weights[p] as number) : 0;
    for (let ch = 0; ch < 3; ch++) {
      const sum =
        (hasBefore ? (rgba[before * 4 + ch] as number) * wBefore : 0) +
        (hasAfter ? (rgba[after * 4 + ch] as number) * wAfter : 0);
      const own = previous * (rgba[p * 4 + ch] as number);
      rgba[p * 4 + ch] = Math.round((own + sum) / (previous + weight));
    }
    rgba[p * 4 + 3] = 255;
    weights[p] = previous + weight;
  }
}
