import { mkdir, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";

import {
  DEFAULT_UNIXFS,
  buildTree,
  formatKernel,
  merkleValues,
  parseKernel,
  splitImageFile,
} from "@disp/core";

import { TaskInputError, cliAction, positiveInteger, readInput, required, writeOutputs } from "./cli.js";
import { progressBar } from "./progress-bar.js";

interface SplitArgs {
  image: string | undefined;
  kernel: string;
  out: string | undefined;
  chunkSize: string | undefined;
  json: boolean;
}

/** disp:split — decode an image, split it by the kernel, and write fragment PNGs and the manifest. */
export default cliAction(async (args: SplitArgs) => {
  const imagePath = required(args.image, "image");
  const outDir = required(args.out, "out");
  const kernel = parseKernel(args.kernel);
  const chunkSize =
    args.chunkSize === undefined ? DEFAULT_UNIXFS.chunkSize : positiveInteger(args.chunkSize, "chunk-size");
  const bytes = await readInput(imagePath);

  const bar = progressBar();
  let result;
  try {
    result = await splitImageFile(bytes, {
      kernel,
      unixfs: { ...DEFAULT_UNIXFS, chunkSize },
      onProgress: bar.onProgress,
    });
  } finally {
    bar.stop();
  }
  const { manifest, manifestBytes, fragments } = result;

  const created = await ensureDirectory(outDir);
  try {
    await writeOutputs([
      ...fragments.map((fragment) => ({
        path: join(outDir, `fragment-${fragment.index}.png`),
        bytes: fragment.bytes,
      })),
      { path: join(outDir, "manifest.json"), bytes: manifestBytes },
    ]);
  } catch (error) {
    if (created) await rmdir(outDir).catch(() => undefined);
    throw error;
  }

  const summary = {
    manifest: join(outDir, "manifest.json"),
    width: manifest.image.width,
    height: manifest.image.height,
    kernel: formatKernel(manifest.kernel),
    pixelHash: manifest.contentHash.digest,
    merkleRoot: buildTree(merkleValues(manifest, manifestBytes)).root,
    fragments: manifest.fragments.map(({ index, cid, size }) => ({ index, cid, size })),
  };
  if (args.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(`${imagePath}: ${summary.width} × ${summary.height}, kernel ${summary.kernel}`);
  for (const fragment of summary.fragments) {
    console.log(`  fragment-${fragment.index}.png  ${fragment.size} bytes  ${fragment.cid}`);
  }
  console.log(`pixel hash  ${summary.pixelHash}`);
  console.log(`merkle root ${summary.merkleRoot}`);
  console.log(`manifest    ${summary.manifest}`);
});

/** Creates the output directory if needed; true when this run created it (so it may remove it). */
async function ensureDirectory(path: string): Promise<boolean> {
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isDirectory()) throw new TaskInputError(`--out ${path} exists and is not a directory`);
    return false;
  }
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new TaskInputError(`cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
  return true;
}
