// Benchmark of the JPEG coefficient codec on the 4000x3000 photo of devkit's makeJpegPhoto, against
// jimp decoding the same file to pixels in the same run; the same for that photo written
// progressive by sharp (libjpeg-turbo's default script, and mozjpeg's), with the bytes the pixel
// codec stores for it, which the coefficient path replaces. Also the recovery PSNR on the fixture
// itself with 1, 2 and 3 of 4 fragments lost. Last stdout line: one JSON object.
//   pnpm bench:jpeg        (tsx scripts/bench-jpeg.ts)
import { readFileSync } from "node:fs";

import { encodeImageFile, mergeJpeg, psnr as corePsnr, recoverJpeg, splitJpeg } from "@disp/core";
import {
  JPEG_PHOTO_FIXTURE,
  JPEG_PHOTO_HEIGHT,
  JPEG_PHOTO_WIDTH,
  makeJpegPhoto,
} from "@disp/devkit/jpeg-photo";
import { Jimp } from "jimp";
import sharp from "sharp";

const WIDTH = JPEG_PHOTO_WIDTH;
const HEIGHT = JPEG_PHOTO_HEIGHT;
const KERNEL = { height: 2, width: 2 };
const RUNS = 3;

async function medianMs(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((x, y) => x - y);
  return Math.round(times[Math.floor(RUNS / 2)] ?? 0);
}

/** core's psnr on raw RGBA buffers of the same size. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  return corePsnr({ width: a.length / 4, height: 1, data: a }, { width: b.length / 4, height: 1, data: b });
}

function combinations(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first < n; first++) {
    for (const rest of combinations(n, k - 1)) if (rest.every((r) => r > first)) out.push([first, ...rest]);
  }
  return out;
}

/** Mean and worst PSNR over every way of losing `lost` of the 4 fragments of the fixture. */
function recoveryPsnr(bytes: Uint8Array, lost: number): { mean: number; min: number } {
  const { fragments, layout } = splitJpeg(bytes, KERNEL);
  const full = recoverJpeg(fragments, layout).rgba;
  const values = combinations(fragments.length, lost).map((missing) => {
    const present = fragments.map((f, i) => (missing.includes(i) ? undefined : f));
    return psnr(full, recoverJpeg(present, layout).rgba);
  });
  const round = (x: number) => Math.round(x * 100) / 100;
  return { mean: round(values.reduce((s, v) => s + v, 0) / values.length), min: round(Math.min(...values)) };
}

const source = await makeJpegPhoto();
const split = splitJpeg(source, KERNEL);
const merged = mergeJpeg(split.fragments, split.layout);
if (merged.length !== source.length || merged.some((byte, i) => byte !== source[i])) {
  throw new Error("merge did not give back the source bytes");
}
const fragmentBytes = split.fragments.reduce((sum, f) => sum + f.length, 0);
const jimpDecodeMs = await medianMs(() => Jimp.read(Buffer.from(source)));
const jpegSplitMs = await medianMs(() => splitJpeg(source, KERNEL));
const jpegMergeMs = await medianMs(() => mergeJpeg(split.fragments, split.layout));

// The same ratio for other kernels: more, smaller fragments each carry their own tables and headers.
const ratioByKernel: Record<string, number> = {};
for (const side of [1, 3, 4, 8]) {
  const { fragments } = splitJpeg(source, { height: side, width: side });
  const bytes = fragments.reduce((sum, f) => sum + f.length, 0);
  ratioByKernel[`${side}x${side}`] = Math.round((bytes / source.length) * 10000) / 10000;
}

const ratio = (bytes: number, of: number) => Math.round((bytes / of) * 10000) / 10000;

/** Split, merge (checked byte for byte) and the stored bytes of a progressive version of the photo. */
async function progressive(options: { mozjpeg: boolean }) {
  const bytes = new Uint8Array(
    await sharp(source)
      .jpeg({ progressive: true, quality: 90, ...options })
      .toBuffer(),
  );
  const { fragments, layout } = splitJpeg(bytes, KERNEL);
  const back = mergeJpeg(fragments, layout);
  if (!Buffer.from(back).equals(Buffer.from(bytes)) && layout.progressive?.fidelity === "fileExact") {
    throw new Error("merge did not give back the progressive file");
  }
  const stored = fragments.reduce((sum, f) => sum + f.length, 0);
  const pixel = await encodeImageFile(bytes, { kernel: KERNEL, codec: "png" });
  const pixelBytes = pixel.fragments.reduce((sum, f) => sum + f.bytes.length, 0);
  return {
    sourceBytes: bytes.length,
    scans: (layout.progressive?.scans.length ?? 0) + 1,
    fidelity: layout.progressive?.fidelity,
    fragmentBytes: stored,
    jpegFragmentBytesRatio: ratio(stored, bytes.length),
    jpegSplitMs: await medianMs(() => splitJpeg(bytes, KERNEL)),
    jpegMergeMs: await medianMs(() => mergeJpeg(fragments, layout)),
    jimpDecodeMs: await medianMs(() => Jimp.read(Buffer.from(bytes))),
    pixelCodecFragmentBytes: pixelBytes,
    pixelCodecBytesRatio: ratio(pixelBytes, bytes.length),
  };
}

const progressiveLibjpeg = await progressive({ mozjpeg: false });
const progressiveMozjpeg = await progressive({ mozjpeg: true });
const fixture = new Uint8Array(readFileSync(JPEG_PHOTO_FIXTURE));
const result = {
  width: WIDTH,
  height: HEIGHT,
  kernel: `${KERNEL.height}x${KERNEL.width}`,
  sourceBytes: source.length,
  fragmentBytes,
  jpegFragmentBytesRatio: Math.round((fragmentBytes / source.length) * 10000) / 10000,
  jpegSplitMs,
  jpegMergeMs,
  jimpDecodeMs,
  jpegFragmentBytesRatioByKernel: ratioByKernel,
  progressive: progressiveLibjpeg,
  progressiveMozjpeg,
  fixturePsnr1of4: recoveryPsnr(fixture, 1),
  fixturePsnr2of4: recoveryPsnr(fixture, 2),
  fixturePsnr3of4: recoveryPsnr(fixture, 3),
};
console.log(JSON.stringify(result));
