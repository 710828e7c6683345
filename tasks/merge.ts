import { join } from "node:path";

import { DispError, PIXEL_HASH_ALGORITHM, shardEntries } from "@disp/protocol";
import { ParityError, fragmentExtension, parseManifest, rebuildFromShards } from "@disp/core";

import { cliAction, readInput, readOptional, writeOutputs } from "./cli.js";
import { required } from "./options.js";
import { describeFidelity, describeFile, outputPath } from "./output-file.js";
import { progressBar } from "./progress-bar.js";
import { parityFileName } from "./split.js";

interface MergeArgs {
  dir: string | undefined;
  out: string | undefined;
  json: boolean;
}

/**
 * disp:merge — rebuild an image from a split directory: every fragment and parity file present is
 * checked against the manifest (a mismatch is rejected and treated as missing); with at most m of
 * the k + m gone the fragments are rebuilt and the result is exact (the original file for the jpeg
 * and file codecs), otherwise missing pixels are estimated. A parity file of another length than
 * the manifest's is no damaged copy but a file from elsewhere (another image's split): refused.
 */
export default cliAction(async (args: MergeArgs) => {
  const dir = required(args.dir, "dir");
  const requested = required(args.out, "out");
  const manifest = parseManifest(await readInput(join(dir, "manifest.json")));
  const extension = fragmentExtension(manifest);
  const k = manifest.fragments.length;
  const fileName = (index: number) => (index < k ? `fragment-${index}.${extension}` : parityFileName(index));
  const files = await Promise.all(
    shardEntries(manifest).map((shard) => readOptional(join(dir, fileName(shard.index)))),
  );

  const bar = progressBar();
  let result;
  try {
    result = await rebuildFromShards(manifest, files, { onProgress: bar.onProgress });
  } finally {
    bar.stop();
  }
  const foreign = result.shards.rejected.find(
    (shard) => shard.index >= k && shard.code === "SHARD_SIZE_MISMATCH",
  );
  if (foreign !== undefined) {
    throw new ParityError(
      "PARITY_SHARD_LENGTH",
      `${fileName(foreign.index)} ${foreign.reason}: a parity file from another image? Remove it to merge without it`,
    );
  }
  const pixelHashed = manifest.contentHash.algorithm === PIXEL_HASH_ALGORITHM;
  if (result.exact && !result.contentHashVerified) {
    // Every fragment matched the manifest yet the result does not: the manifest contradicts itself.
    throw new DispError(
      pixelHashed ? "PIXEL_HASH_MISMATCH" : "CONTENT_HASH_MISMATCH",
      "all fragments verified but the rebuilt image does not match the manifest's content hash",
    );
  }
  const outPath = outputPath(requested, result);
  await writeOutputs([{ path: outPath, bytes: result.bytes }]);

  const summary = {
    output: outPath,
    codec: result.codec,
    exact: result.exact,
    fidelity: result.fidelity,
    contentHashVerified: result.contentHashVerified,
    /** Kept for compatibility: contentHashVerified, whatever the codec hashes. */
    pixelHashVerified: result.contentHashVerified,
    missing: result.missing,
    rejected: result.rejected.map((fragment) => fragment.index),
    estimatedPixels: result.estimatedPixels,
    // Only for a manifest with parity, so that the summary of one without stays as it was.
    ...(manifest.parity && {
      parity: `${manifest.parity.k}+${manifest.parity.m}`,
      path: result.shards.path,
      rebuilt: result.shards.rebuilt,
      lostShards: result.shards.lost,
      rejectedShards: result.shards.rejected.map((shard) => shard.index),
    }),
  };
  for (const shard of result.shards.rejected) {
    const what = shard.index < k ? "fragment" : "parity shard";
    console.error(`warning: ${what} ${shard.index} rejected: ${shard.reason}`);
  }
  if (args.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  const size = describeFile(result.bytes);
  const fidelity = describeFidelity(result.fidelity);
  if (result.exact) {
    const what = pixelHashed ? "pixel hash verified" : "SHA-256 verified";
    const rebuilt = result.shards.rebuilt;
    const how = rebuilt.length === 0 ? "" : `, fragments [${rebuilt.join(", ")}] rebuilt from parity`;
    console.log(`${outPath}: ${size}, ${fidelity}${how}, ${what}`);
  } else {
    console.log(`${outPath}: ${size}, ${fidelity}: fragments [${summary.missing.join(", ")}] missing`);
    console.log(`${summary.estimatedPixels} pixels estimated`);
  }
});
