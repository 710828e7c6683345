/**
 * The JPEG half of bench-codec.ts, in its own child process: the coefficient codec (splitJpeg,
 * mergeJpeg, and the codec layer's encodeImageFile / rebuildImageFile with CIDs and verification)
 * against jimp decoding the same JPEG to pixels, interleaved in the same run. Prints one JSON line.
 *   generate <out>   writes the 4000x3000 photo of makeJpegPhoto (@disp/devkit)
 *   measure <file>   measures a JPEG (reports { supported: false } for one the codec cannot take)
 */
import { readFile, writeFile } from "node:fs/promises";

import {
  encodeImageFile,
  inspectJpeg,
  mergeJpeg,
  rebuildImageFile,
  sniffFormat,
  splitJpeg,
} from "@disp/core";
import type { Kernel } from "@disp/protocol";
import { JPEG_PHOTO_FIXTURE, makeJpegPhoto } from "@disp/devkit/jpeg-photo";
import { Jimp } from "jimp";

export type JpegReport =
  | { supported: false; reason: string }
  | {
      supported: true;
      width: number;
      height: number;
      sourceBytes: number;
      fragmentBytes: number;
      splitMs: number;
      mergeMs: number;
      jimpDecodeMs: number;
      encodeMs: number;
      rebuildMs: number;
    };

const KERNEL: Kernel = { height: 2, width: 2 };
const ROUNDS = 3;

/** Medians of interleaved runs, so every action sees the same machine load. */
async function interleavedMedians(actions: Array<() => unknown>): Promise<number[]> {
  const times: number[][] = actions.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, action] of actions.entries()) {
      const start = performance.now();
      await action();
      times[i]?.push(performance.now() - start);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)] as number);
}

async function measure(file: string): Promise<JpegReport> {
  const source = new Uint8Array(await readFile(file));
  if (sniffFormat(source) !== "jpeg") return { supported: false, reason: "it is not a JPEG" };
  const inspection = inspectJpeg(source);
  if (!inspection.supported) return { supported: false, reason: inspection.reason };
  const kernel = KERNEL;

  // Warm-up on the small fixture so the timed runs measure compiled code.
  const fixture = new Uint8Array(await readFile(JPEG_PHOTO_FIXTURE));
  const small = await encodeImageFile(fixture, { kernel, codec: "jpeg" });
  await rebuildImageFile(
    small.manifest,
    small.fragments.map((f) => f.bytes),
  );
  await Jimp.read(Buffer.from(fixture));

  const { fragments, layout } = splitJpeg(source, KERNEL);
  const merged = mergeJpeg(fragments, layout);
  if (Buffer.compare(Buffer.from(merged), Buffer.from(source)) !== 0)
    throw new Error("merge is not byte-exact");
  const encoded = await encodeImageFile(source, { kernel, codec: "jpeg" });
  const files = encoded.fragments.map((f) => f.bytes);
  const rebuilt = await rebuildImageFile(encoded.manifest, files);
  if (!rebuilt.contentHashVerified) throw new Error("rebuildImageFile did not verify the original");

  const [splitMs = 0, mergeMs = 0, jimpDecodeMs = 0, encodeMs = 0, rebuildMs = 0] = await interleavedMedians([
    () => splitJpeg(source, KERNEL),
    () => mergeJpeg(fragments, layout),
    () => Jimp.read(Buffer.from(source)),
    () => encodeImageFile(source, { kernel, codec: "jpeg" }),
    () => rebuildImageFile(encoded.manifest, files),
  ]);
  return {
    supported: true,
    width: layout.width,
    height: layout.height,
    sourceBytes: source.length,
    fragmentBytes: fragments.reduce((sum, f) => sum + f.length, 0),
    splitMs,
    mergeMs,
    jimpDecodeMs,
    encodeMs,
    rebuildMs,
  };
}

const [mode, file] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: bench-codec-jpeg generate|measure <file>");
if (mode === "generate") {
  await writeFile(file, await makeJpegPhoto());
  console.log("{}");
} else if (mode === "measure") console.log(JSON.stringify(await measure(file)));
else throw new Error(`unknown mode ${mode}`);
