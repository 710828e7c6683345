/**
 * `pnpm bench:codec [--image <file>] [--generate mosaic|upscale]`: measures the pixel codec on one
 * image (decode, split, fragment PNG encode, merge, recovery) next to two references measured in
 * the same run: a plain copy of a buffer the size of the RGBA pixels, and sharp decoding the same
 * file and encoding the whole image as PNG. Then the JPEG coefficient codec (keys `jpeg*`) on the
 * image if it is a JPEG the codec takes, else on the 4000 × 3000 JPEG photo of devkit's
 * makeJpegPhoto made in the run, against jimp decoding that same JPEG (`jimpJpegDecodeMs`). The last
 * stdout line is one JSON object.
 *
 * Without --image a 12-megapixel PNG is generated in the run: by default a 8 × 6 mosaic of
 * astronaut.png (4096 × 3072, tiles mirrored so edges meet), which keeps a real photograph's detail
 * at the pixel scale; `--generate upscale` makes rocket.jpg upscaled 6.6× (4240 × 2832) instead,
 * which is much smoother than any real 12 MP photograph.
 *
 * The codec layer on PNG files (keys `png*`): the image stored and rebuilt end to end (decode, the
 * byte-exactness proof, fragments, CIDs) against sharp's decode and encode of the same file, and the
 * share of the fixture PNGs (test/fixtures and its png-corpus) given back byte for byte.
 *
 * Each measurement runs in its own child process so that peak RSS is the codec's alone (sharp's
 * memory and threads never share a process with it). MB here is 2^20 bytes.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import type { AlternativeReport, PipelineReport, ReferenceReport } from "./bench-codec-children.js";
import type { JpegReport } from "./bench-codec-jpeg.js";
import type { PngCorpusReport, PngStoreReport } from "./bench-codec-png.js";

const childScript = fileURLToPath(new URL("./bench-codec-children.ts", import.meta.url));
const jpegScript = fileURLToPath(new URL("./bench-codec-jpeg.ts", import.meta.url));
const pngScript = fileURLToPath(new URL("./bench-codec-png.ts", import.meta.url));
const fixtures = fileURLToPath(new URL("../test/fixtures/", import.meta.url));

function runChild(...args: string[]): Promise<unknown> {
  return runScript(childScript, args);
}

function runScript(script: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, "--expose-gc", script, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0) reject(new Error(`bench child ${args[0]} exited with ${code}`));
      else resolve(JSON.parse(last) as unknown);
    });
  });
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { image: { type: "string" }, generate: { type: "string", default: "mosaic" } },
    strict: true,
  });
  let work: string | undefined;
  let image = values.image;
  try {
    if (image === undefined) {
      if (values.generate !== "mosaic" && values.generate !== "upscale") {
        throw new Error(`--generate must be mosaic or upscale, got ${values.generate}`);
      }
      work = await mkdtemp(join(tmpdir(), "disp-bench-"));
      image = join(work, `${values.generate}-12mp.png`);
      await runChild("generate", values.generate, fixtures, image);
    }
    await readFile(image); // fail early, with the path, if it is unreadable

    const pipeline = (await runChild("pipeline", image)) as PipelineReport;
    const reference = (await runChild("reference", image)) as ReferenceReport;
    const alternative = (await runChild("alternative", image)) as AlternativeReport;
    const jpeg = await measureJpeg(image, work);
    const pngStore = (await runScript(pngScript, ["store", image])) as PngStoreReport;
    const pngCorpus = (await runScript(pngScript, ["corpus", ...(await fixturePngs())])) as PngCorpusReport;
    const rawBytes = pipeline.width * pipeline.height * 4;
    const mb = (bytes: number) => bytes / 2 ** 20;
    const mbps = (ms: number) => mb(rawBytes) / (ms / 1000);

    console.log(
      `image: ${values.image ?? `generated (${values.generate}) from test/fixtures`} ` +
        `${pipeline.width} × ${pipeline.height}; fragment PNGs ${pipeline.fragmentBytes} bytes, ` +
        `whole-image PNG (same encoder) ${reference.wholePngBytes} bytes in ${round(reference.wholeEncodeMs)} ms; ` +
        `recovery PSNR with fragment 3 of 4 lost ${round(pipeline.recoverPsnr, 2)} dB; ` +
        `RSS before any image (runtime and modules) ${round(pipeline.baselineRssMB)} MB; ` +
        `load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores`,
    );
    // Not the product's codec: the same pipeline with sharp decoding and encoding, for comparison.
    console.log(
      `alternative (sharp decode + core split + sharp PNG encode of the fragments): ` +
        `${round(alternative.pipelineMs)} ms, fragment PNGs ${alternative.fragmentBytes} bytes, ` +
        `peak RSS ${round(alternative.peakRssMB)} MB`,
    );
    console.log(
      `jpeg: ${jpeg.source} ${jpeg.report.width} × ${jpeg.report.height}, ${jpeg.report.sourceBytes} bytes; ` +
        `codec layer (with CIDs and verification) encode ${round(jpeg.report.encodeMs)} ms, ` +
        `rebuild ${round(jpeg.report.rebuildMs)} ms`,
    );
    console.log(
      `png: stored and rebuilt as ${pngStore.fidelity}; fixture PNGs given back byte for byte ` +
        `${pngCorpus.fileExact} of ${pngCorpus.files}; re-encoded: ` +
        (pngCorpus.reEncoded.map(({ name, fidelity }) => `${name} (${fidelity})`).join(", ") || "none"),
    );
    console.log(
      JSON.stringify({
        width: pipeline.width,
        height: pipeline.height,
        rawRgbaMB: round(mb(rawBytes)),
        decodeMs: round(pipeline.decodeMs),
        splitMs: round(pipeline.splitMs),
        encodeMs: round(pipeline.encodeMs),
        mergeMs: round(pipeline.mergeMs),
        recoverMs: round(pipeline.recoverMs),
        splitMBps: round(mbps(pipeline.splitMs)),
        mergeMBps: round(mbps(pipeline.mergeMs)),
        copyMBps: round(mbps(pipeline.copyMs)),
        pipelineMs: round(pipeline.decodeMs + pipeline.splitMs + pipeline.encodeMs),
        sharpMs: round(reference.sharpMs),
        fragmentBytesRatio: round(pipeline.fragmentBytes / reference.wholePngBytes, 3),
        peakRssMB: round(pipeline.peakRssMB),
        jpegWidth: jpeg.report.width,
        jpegHeight: jpeg.report.height,
        jpegFragmentBytesRatio: round(jpeg.report.fragmentBytes / jpeg.report.sourceBytes, 4),
        jpegSplitMs: round(jpeg.report.splitMs),
        jpegMergeMs: round(jpeg.report.mergeMs),
        jimpJpegDecodeMs: round(jpeg.report.jimpDecodeMs),
        jpegEncodeMs: round(jpeg.report.encodeMs),
        jpegRebuildMs: round(jpeg.report.rebuildMs),
        pngStoreMs: round(pngStore.storeMs),
        pngRebuildMs: round(pngStore.rebuildMs),
        pngStoreVsSharp: round(pngStore.storeMs / reference.sharpMs, 2),
        pngStorePeakRssMB: round(pngStore.peakRssMB),
        pngStorePeakRssVsRgba: round((pngStore.peakRssMB - pipeline.baselineRssMB) / mb(rawBytes), 2),
        pngStoreFidelity: pngStore.fidelity,
        pngFixtureFiles: pngCorpus.files,
        pngFileExactShare: round(pngCorpus.fileExact / pngCorpus.files, 3),
      }),
    );
  } finally {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  }
}

/** Every PNG under test/fixtures and test/fixtures/png-corpus. */
async function fixturePngs(): Promise<string[]> {
  const found: string[] = [];
  for (const dir of [fixtures, join(fixtures, "png-corpus")]) {
    for (const name of (await readdir(dir)).sort()) if (name.endsWith(".png")) found.push(join(dir, name));
  }
  return found;
}

/**
 * The coefficient codec on the image if it is a JPEG it takes, else on the generated photo (made in
 * `work`, or a fresh temporary directory removed afterwards).
 */
async function measureJpeg(
  image: string,
  work: string | undefined,
): Promise<{ source: string; report: Extract<JpegReport, { supported: true }> }> {
  const given = (await runScript(jpegScript, ["measure", image])) as JpegReport;
  if (given.supported) return { source: image, report: given };
  const dir = work ?? (await mkdtemp(join(tmpdir(), "disp-bench-")));
  try {
    const photo = join(dir, "photo-4000x3000.jpg");
    await runScript(jpegScript, ["generate", photo]);
    const report = (await runScript(jpegScript, ["measure", photo])) as JpegReport;
    if (!report.supported) throw new Error(`the generated JPEG is not supported: ${report.reason}`);
    return { source: `generated photo (not the input: ${given.reason})`, report };
  } finally {
    if (work === undefined) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:codec: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
