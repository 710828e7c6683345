import { mkdir, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";

import { buildTree, DEFAULT_UNIXFS, merkleValues } from "@disp/protocol";
import { addParity, encodeImageFile, formatKernel, fragmentExtension, parseKernel } from "@disp/core";

import { TaskInputError, cliAction, readInput, writeOutputs } from "./cli.js";
import { codecOption, positive, required } from "./options.js";
import { describeFile } from "./output-file.js";
import { progressBar } from "./progress-bar.js";

interface SplitArgs {
  image: string | undefined;
  kernel: string;
  codec: string;
  out: string | undefined;
  chunkSize: number;
  parity: number;
  json: boolean;
}

/**
 * disp:split — encode an image with a codec (auto: the JPEG coefficient codec for a JPEG it can
 * rebuild byte for byte, else the pixel codec) and write the fragment files, the parity files (any
 * k of the k + m files rebuild the fragments exactly) and the manifest.
 */
export default cliAction(async (args: SplitArgs) => {
  const imagePath = required(args.image, "image");
  const outDir = required(args.out, "out");
  const kernel = parseKernel(args.kernel);
  const codec = codecOption(args.codec);
  const chunkSize = positive(args.chunkSize, "chunk-size");
  const bytes = await readInput(imagePath);

  const bar = progressBar();
  let result;
  try {
    result = await encodeImageFile(bytes, {
      kernel,
      codec,
      unixfs: { ...DEFAULT_UNIXFS, chunkSize },
      onProgress: bar.onProgress,
    });
    result = await addParity(result, args.parity, { onProgress: bar.onProgress });
  } finally {
    bar.stop();
  }
  const { manifest, manifestBytes, fragments, parityShards, fallback } = result;
  const extension = fragmentExtension(manifest);
  const fragmentBytes = fragments.reduce((sum, fragment) => sum + fragment.bytes.length, 0);
  const ratio = (fragmentBytes / result.sourceBytes).toFixed(2);
  const parityBytes = parityShards.reduce((sum, shard) => sum + shard.bytes.length, 0);
  if (fallback !== undefined) {
    // Never silent: the pixel codec gives back pixels, not the file, and usually costs more bytes.
    console.error(
      `note: ${imagePath} is a JPEG the coefficient codec cannot rebuild byte for byte (${fallback.reason}); ` +
        `stored with the png codec instead: ${fragmentBytes} bytes of fragments, ${ratio}× the file's ${result.sourceBytes}`,
    );
  }

  const created = await ensureDirectory(outDir);
  try {
    await writeOutputs([
      ...fragments.map((fragment) => ({
        path: join(outDir, `fragment-${fragment.index}.${extension}`),
        bytes: fragment.bytes,
      })),
      ...parityShards.map((shard) => ({
        path: join(outDir, parityFileName(shard.index)),
        bytes: shard.bytes,
      })),
      { path: join(outDir, "manifest.json"), bytes: manifestBytes },
    ]);
  } catch (error) {
    if (created) await rmdir(outDir).catch(() => undefined);
    throw error;
  }

  const summary = {
    manifest: join(outDir, "manifest.json"),
    codec: result.codec,
    width: manifest.image.width,
    height: manifest.image.height,
    kernel: formatKernel(manifest.kernel),
    contentHash: result.contentHash,
    /** Kept for compatibility: the content hash, whatever the codec hashes. */
    pixelHash: result.contentHash,
    merkleRoot: buildTree(merkleValues(manifest, manifestBytes)).root,
    sourceBytes: result.sourceBytes,
    fragmentBytes,
    fallback: fallback ?? null,
    fragments: manifest.fragments.map(({ index, cid, size }) => ({ index, cid, size })),
    parity: manifest.parity && `${manifest.parity.k}+${manifest.parity.m}`,
    parityShards: (manifest.parity?.shards ?? []).map(({ index, cid, size }) => ({ index, cid, size })),
    /** Every file a community stores (fragments and parity) over the original file. */
    storedBytesRatio: (fragmentBytes + parityBytes) / result.sourceBytes,
  };
  if (args.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(`${imagePath}: ${describeFile(bytes)}, kernel ${summary.kernel}, ${summary.codec} codec`);
  for (const fragment of summary.fragments) {
    console.log(`  fragment-${fragment.index}.${extension}  ${fragment.size} bytes  ${fragment.cid}`);
  }
  for (const shard of summary.parityShards) {
    console.log(`  ${parityFileName(shard.index)}  ${shard.size} bytes  ${shard.cid}`);
  }
  console.log(`fragments   ${fragmentBytes} bytes, ${ratio}× the file's ${result.sourceBytes}`);
  if (summary.parity !== null) {
    const stored = summary.storedBytesRatio.toFixed(2);
    console.log(`parity      ${summary.parity}: ${parityBytes} bytes more, ${stored}× the file in all`);
  }
  const hashName = manifest.contentHash.algorithm === "sha256" ? "file sha256" : "pixel hash ";
  console.log(`${hashName} ${summary.contentHash}`);
  console.log(`merkle root ${summary.merkleRoot}`);
  console.log(`manifest    ${summary.manifest}`);
});

/** The file of the parity shard with leaf index `index` (k + p), as disp:merge looks for it. */
export function parityFileName(index: number): string {
  return `parity-${index}.bin`;
}

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
