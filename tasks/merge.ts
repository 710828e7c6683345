import { extname, join } from "node:path";

import { DispError, PIXEL_HASH_ALGORITHM } from "@disp/protocol";
import { fragmentExtension, parseManifest, rebuildImageFile } from "@disp/core";

import { cliAction, readInput, readOptional, writeOutputs } from "./cli.js";
import { required } from "./options.js";
import { progressBar } from "./progress-bar.js";

interface MergeArgs {
  dir: string | undefined;
  out: string | undefined;
  json: boolean;
}

/**
 * disp:merge — rebuild an image from a split directory: every fragment file present is checked
 * against the manifest (a mismatch is rejected and treated as missing); with all of them the result
 * is exact (the original file for the jpeg and file codecs), otherwise missing pixels are estimated.
 */
export default cliAction(async (args: MergeArgs) => {
  const dir = required(args.dir, "dir");
  const requested = required(args.out, "out");
  const manifest = parseManifest(await readInput(join(dir, "manifest.json")));
  const extension = fragmentExtension(manifest);
  const files = await Promise.all(
    manifest.fragments.map((fragment) => readOptional(join(dir, `fragment-${fragment.index}.${extension}`))),
  );

  const bar = progressBar();
  let result;
  try {
    result = await rebuildImageFile(manifest, files, { onProgress: bar.onProgress });
  } finally {
    bar.stop();
  }
  const pixelHashed = manifest.contentHash.algorithm === PIXEL_HASH_ALGORITHM;
  if (result.exact && !result.contentHashVerified) {
    // Every fragment matched the manifest yet the result does not: the manifest contradicts itself.
    throw new DispError(
      pixelHashed ? "PIXEL_HASH_MISMATCH" : "CONTENT_HASH_MISMATCH",
      "all fragments verified but the rebuilt image does not match the manifest's content hash",
    );
  }
  const outPath = withExtension(requested, result.extension);
  await writeOutputs([{ path: outPath, bytes: result.bytes }]);

  const summary = {
    output: outPath,
    codec: result.codec,
    exact: result.exact,
    contentHashVerified: result.contentHashVerified,
    /** Kept for compatibility: contentHashVerified, whatever the codec hashes. */
    pixelHashVerified: result.contentHashVerified,
    missing: result.missing,
    rejected: result.rejected.map((fragment) => fragment.index),
    estimatedPixels: result.estimatedPixels,
  };
  for (const fragment of result.rejected) {
    console.error(`warning: fragment ${fragment.index} rejected: ${fragment.reason}`);
  }
  if (args.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  // The size without decoding the original file again (its pixels are only needed for a PNG result).
  const { width, height } = result.extension === "png" ? await result.pixels() : manifest.image;
  if (result.exact) {
    const what = pixelHashed ? "pixel hash verified" : "the original file, SHA-256 verified";
    console.log(`${outPath}: ${width} × ${height}, exact, ${what}`);
  } else {
    console.log(
      `${outPath}: ${width} × ${height}, APPROXIMATE: fragments [${summary.missing.join(", ")}] missing`,
    );
    console.log(`${summary.estimatedPixels} of ${width * height} pixels estimated`);
  }
});

const SAME_EXTENSION: Readonly<Record<string, string>> = { jpeg: "jpg", tif: "tiff" };

/** The requested path with the result's extension (the user's when it already names that format). */
function withExtension(path: string, extension: string): string {
  const current = extname(path).slice(1).toLowerCase();
  if ((SAME_EXTENSION[current] ?? current) === extension) return path;
  const base = current === "" ? path : path.slice(0, -(current.length + 1));
  return `${base}.${extension}`;
}
