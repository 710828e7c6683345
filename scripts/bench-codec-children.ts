/**
 * The measuring halves of bench-codec.ts, one per child process (see there). Each prints one JSON
 * line on stdout. Run with --expose-gc: references are dropped and collected between stages, as a
 * long-running pipeline would, so peak RSS reflects what the codec needs at once.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { pixelHash, type RgbaImage } from "@disp/protocol";
import {
  chooseColorType,
  decodeImage,
  DEFAULT_DEFLATE_LEVEL,
  DEFAULT_PNG_FILTER,
  encodePng,
  merge,
  psnr,
  recover,
  split,
  type Fragment,
  type PngSettings,
} from "@disp/core";

export interface PipelineReport {
  width: number;
  height: number;
  decodeMs: number;
  splitMs: number;
  encodeMs: number;
  mergeMs: number;
  recoverMs: number;
  copyMs: number;
  fragmentBytes: number;
  peakRssMB: number;
  /** RSS once the runtime (tsx) and core's modules are loaded, before any image: part of the peak. */
  baselineRssMB: number;
  recoverPsnr: number;
}

/** The same pipeline with sharp (libvips) doing the decode and the fragment PNG encodes. */
export interface AlternativeReport {
  pipelineMs: number;
  fragmentBytes: number;
  peakRssMB: number;
}

export interface ReferenceReport {
  sharpMs: number;
  wholePngBytes: number;
  wholeEncodeMs: number;
}

const KERNEL = { height: 2, width: 2 };

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  gc();
}

async function timed<T>(action: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await action();
  return [result, performance.now() - start];
}

function pngSettings(image: RgbaImage): PngSettings {
  return {
    colorType: chooseColorType(image),
    filter: DEFAULT_PNG_FILTER,
    deflateLevel: DEFAULT_DEFLATE_LEVEL,
  };
}

async function encodeFragments(fragments: readonly Fragment[], settings: PngSettings): Promise<number> {
  const files = await Promise.all(fragments.map((fragment) => encodePng(fragment, settings)));
  return files.reduce((sum, file) => sum + file.length, 0);
}

/** Runs every stage once on a small fixture so the timed runs measure compiled code. */
async function warmUp(fixture: Uint8Array): Promise<void> {
  const image = await decodeImage(fixture);
  const { layout, fragments } = split(image, KERNEL);
  await encodeFragments(fragments, pngSettings(image));
  merge(layout, fragments);
  recover(layout, [fragments[0], fragments[1], fragments[2], undefined]);
}

/** Medians of `rounds` interleaved runs of each action, so all see the same machine load. */
async function interleavedMedians(rounds: number, actions: Array<() => unknown>): Promise<number[]> {
  const times: number[][] = actions.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, action] of actions.entries()) {
      collect();
      const [, ms] = await timed(action);
      times[i]?.push(ms);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)] as number);
}

/** Decode and split; the decoded image goes out of scope on return, as in the store pipeline. */
async function decodeAndSplit(file: string) {
  const bytes = await readFile(file);
  collect();
  const [decoded, decodeMs] = await timed(() => decodeImage(bytes));
  collect(); // the decoder's intermediate buffers
  const { layout, fragments } = split(decoded, KERNEL);
  const [copyMs = 0, splitMs = 0, mergeMs = 0] = await interleavedMedians(5, [
    () => decoded.data.slice(),
    () => split(decoded, KERNEL),
    () => merge(layout, fragments),
  ]);
  const { width, height } = decoded;
  // The colour type is chosen from all pixels: part of encoding, so it is timed with it.
  const [settings, chooseMs] = await timed(() => pngSettings(decoded));
  const hash = pixelHash(decoded);
  return { width, height, hash, settings, chooseMs, layout, fragments, decodeMs, copyMs, splitMs, mergeMs };
}

async function pipeline(file: string, fixture: Uint8Array): Promise<PipelineReport> {
  const baselineRssMB = process.memoryUsage().rss / 2 ** 20;
  await warmUp(fixture);
  const { width, height, hash, settings, chooseMs, layout, fragments, decodeMs, copyMs, splitMs, mergeMs } =
    await decodeAndSplit(file);
  collect();
  const [fragmentBytes, encodeOnlyMs] = await timed(() => encodeFragments(fragments, settings));
  const merged = merge(layout, fragments);
  if (pixelHash(merged) !== hash) throw new Error("merge is not bit-exact");
  collect();
  const [recovered, recoverMs] = await timed(() =>
    recover(layout, [fragments[0], fragments[1], fragments[2], undefined]),
  );
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const recoverPsnr = psnr(merged, recovered.image);
  return {
    width,
    height,
    decodeMs,
    splitMs,
    encodeMs: chooseMs + encodeOnlyMs,
    mergeMs,
    recoverMs,
    copyMs,
    fragmentBytes,
    peakRssMB,
    baselineRssMB,
    recoverPsnr,
  };
}

async function reference(file: string, fixture: Uint8Array): Promise<ReferenceReport> {
  const { default: sharp } = await import("sharp");
  const bytes = await readFile(file);
  await sharp(fixture).png().toBuffer();
  const [sharpMs = 0] = await interleavedMedians(3, [() => sharp(bytes).png().toBuffer()]);
  const whole = await decodeImage(bytes);
  const [wholePng, wholeEncodeMs] = await timed(() => encodePng(whole, pngSettings(whole)));
  return { sharpMs, wholePngBytes: wholePng.length, wholeEncodeMs };
}

/**
 * Not the product's codec: measured only so the report can weigh the alternative. Decode to RGBA
 * with sharp, split with core, encode the fragments with sharp's PNG writer (default settings).
 */
async function alternative(file: string, fixture: Uint8Array): Promise<AlternativeReport> {
  const { default: sharp } = await import("sharp");
  const run = async (bytes: Uint8Array) => {
    const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
    const { fragments } = split(image, KERNEL);
    const files = await Promise.all(
      fragments.map((f) =>
        sharp(f.data, { raw: { width: f.width, height: f.height, channels: 4 } })
          .png()
          .toBuffer(),
      ),
    );
    return files.reduce((sum, f) => sum + f.length, 0);
  };
  await run(fixture);
  const bytes = await readFile(file);
  collect();
  const [fragmentBytes, pipelineMs] = await timed(() => run(bytes));
  return { pipelineMs, fragmentBytes, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

async function generate(kind: string, fixtures: string, out: string): Promise<void> {
  const { default: sharp } = await import("sharp");
  if (kind === "upscale") {
    await sharp(join(fixtures, "rocket.jpg")).resize(4240, 2832, { kernel: "lanczos3" }).png().toFile(out);
    return;
  }
  const tile = (flipV: boolean, flipH: boolean) =>
    sharp(join(fixtures, "astronaut.png")).removeAlpha().flip(flipV).flop(flipH).raw().toBuffer();
  const tiles = await Promise.all([
    tile(false, false),
    tile(false, true),
    tile(true, false),
    tile(true, true),
  ]);
  const composite = [];
  for (let row = 0; row < 6; row++) {
    for (let col = 0; col < 8; col++) {
      const input = tiles[(row % 2) * 2 + (col % 2)] as Buffer;
      composite.push({
        input,
        raw: { width: 512, height: 512, channels: 3 as const },
        left: col * 512,
        top: row * 512,
      });
    }
  }
  await sharp({ create: { width: 4096, height: 3072, channels: 3, background: "#000" } })
    .composite(composite)
    .png()
    .toFile(out);
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const fixture = await readFile(new URL("../test/fixtures/coffee.png", import.meta.url));
  if (mode === "pipeline") console.log(JSON.stringify(await pipeline(args[0] as string, fixture)));
  else if (mode === "reference") console.log(JSON.stringify(await reference(args[0] as string, fixture)));
  else if (mode === "alternative") console.log(JSON.stringify(await alternative(args[0] as string, fixture)));
  else if (mode === "generate") {
    await generate(args[0] as string, args[1] as string, args[2] as string);
    console.log("{}");
  } else throw new Error(`unknown mode ${mode}`);
}

await main();
