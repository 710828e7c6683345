// The 4000x3000 JPEG photo the benchmarks measure the coefficient codec on: the rocket fixture
// upscaled, given a light grain so its entropy looks like a camera's, encoded by jimp at quality 90.
import { readFileSync } from "node:fs";

import { Jimp } from "jimp";

export const JPEG_PHOTO_FIXTURE = new URL("../../../test/fixtures/rocket.jpg", import.meta.url);
export const JPEG_PHOTO_WIDTH = 4000;
export const JPEG_PHOTO_HEIGHT = 3000;

export async function makeJpegPhoto(): Promise<Uint8Array> {
  const image = await Jimp.read(readFileSync(JPEG_PHOTO_FIXTURE));
  image.resize({ w: JPEG_PHOTO_WIDTH, h: JPEG_PHOTO_HEIGHT });
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
