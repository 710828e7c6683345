// The 12-megapixel test photo shared by the benchmarks: the rocket fixture upscaled to 4000x3000,
// given a light grain so its entropy looks like a camera's, encoded by jimp at quality 90.
import { readFile } from "node:fs/promises";

import { Jimp } from "jimp";

export const PHOTO_FIXTURE = new URL("../../test/fixtures/rocket.jpg", import.meta.url);
export const PHOTO_WIDTH = 4000;
export const PHOTO_HEIGHT = 3000;

/** The photo as a JPEG file; deterministic (fixed grain seed), so every run measures the same bytes. */
export async function makePhoto(): Promise<Uint8Array> {
  const image = await Jimp.read(await readFile(PHOTO_FIXTURE));
  image.resize({ w: PHOTO_WIDTH, h: PHOTO_HEIGHT });
  const data = image.bitmap.data;
  let seed = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    if ((i & 3) === 3) continue;
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const grain = ((seed >>> 0) % 9) - 4;
    data[i] = Math.min(255, Math.max(0, (data[i] ?? 0) + grain));
  }
  return new Uint8Array(await image.getBuffer("image/jpeg", { quality: 90 }));
}
