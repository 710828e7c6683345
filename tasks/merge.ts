import { join } from "node:path";

import { DispError, chooseColorType, encodePng, parseManifest, rebuildImage } from "@disp/core";
import { DEFAULT_DEFLATE_LEVEL, DEFAULT_PNG_FILTER } from "@disp/core";

import { cliAction, readInput, readOptional, required, writeOutputs } from "./cli.js";
import { progressBar } from "./progress-bar.js";

interface MergeArgs {
  dir: string | undefined;
  out: string | undefined;
  json: boolean;
}

/**
 * disp:merge — rebuild an image from a split directory: every fragment file present is checked
 * against its CID (a mismatch is rejected and treated as missing); missing pixels are estimated.
 */
export default cliAction(async (args: MergeArgs) => {
  const dir = required(args.dir, "dir");
  const outPath = required(args.out, "out");
  const manifest = parseManifest(await readInput(join(dir, "manifest.json")));
  const files = await Promise.all(
    manifest.fragments.map((fragment) => readOptional(join(dir, `fragment-${fragment.index}.png`))),
  );

  const bar = progressBar();
  let result;
  try {
    result = await rebuildImage(manifest, files, { onProgress: bar.onProgress });
  } finally {
    bar.stop();
  }
  if (result.exact && !result.pixelHashVerified) {
    // Every fragment matched its CID yet the pixels do not: the manifest contradicts itself.
    throw new DispError(
      "PIXEL_HASH_MISMATCH",
      "all fragments verified but the merged pixels do not match the manifest's pixel hash",
    );
  }
  const png = await encodePng(result.image, {
    colorType: chooseColorType(result.image),
    filter: DEFAULT_PNG_FILTER,
    deflateLevel: DEFAULT_DEFLATE_LEVEL,
  });
  await writeOutputs([{ path: outPath, bytes: png }]);

  const summary = {
    exact: result.exact,
    pixelHashVerified: result.pixelHashVerified,
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
  const { width, height } = result.image;
  if (result.exact) console.log(`${outPath}: ${width} × ${height}, exact, pixel hash verified`);
  else {
    console.log(
      `${outPath}: ${width} × ${height}, APPROXIMATE: fragments [${summary.missing.join(", ")}] missing`,
    );
    console.log(`${summary.estimatedPixels} of ${width * height} pixels estimated`);
  }
});
