import { retrieveImage, imageIdHex } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, writeOutputs } from "../cli.js";
import { given } from "../option-specs.js";
import { imageIdOption, positive } from "../options.js";
import { describeFidelity, outputPath } from "../output-file.js";
import { openSession, withClient } from "./session.js";

interface RetrieveArgs {
  id: string | undefined;
  imageVersion: bigint;
  out: string | undefined;
  timeout: number;
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  json: boolean;
}

/** disp:retrieve — fetch, verify and rebuild an image version; write it to a file. */
export default cliAction(async (args: RetrieveArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const version = given(args.imageVersion);
  const timeoutMs = positive(args.timeout, "timeout") * 1000;
  const session = await openSession(hre, args);
  const result = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    retrieveImage(client, imageId, { version, timeoutMs, onProgress }),
  );
  const out =
    args.out === undefined
      ? `image-${imageIdHex(imageId).slice(0, 18)}-v${result.version}${result.exact ? "" : "-approximate"}.${result.extension}`
      : outputPath(args.out, result);
  await writeOutputs([{ path: out, bytes: result.bytes }]);
  const summary = {
    imageId: imageIdHex(imageId),
    version: result.version.toString(),
    visibility: result.visibility,
    codec: result.codec,
    out,
    exact: result.exact,
    fidelity: result.fidelity,
    path: result.path,
    shards: result.shards,
    rebuilt: result.rebuilt,
    lost: result.lost,
    contentHashVerified: result.contentHashVerified,
    missing: result.missing,
    rejected: result.rejected,
    estimatedPixels: result.estimatedPixels,
    unreachable: result.unreachable,
  };
  if (args.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(
    result.exact
      ? `image ${imageIdHex(imageId)} version ${result.version} (${result.visibility}): ${describeFidelity(result.fidelity)}, content hash verified=${result.contentHashVerified} → ${out}`
      : `image ${imageIdHex(imageId)} version ${result.version}: ${describeFidelity(result.fidelity)} (fragments ${result.missing.join(", ")} missing, ${result.estimatedPixels} pixels estimated) → ${out}`,
  );
  if (result.rebuilt.length > 0) {
    console.log(
      `  fragments ${result.rebuilt.join(", ")} rebuilt bit-exactly from parity (${result.shards} shards)`,
    );
  }
  for (const { index, reason } of result.rejected) console.log(`  shard ${index} rejected: ${reason}`);
  for (const { node, reason } of result.unreachable) console.log(`  node ${node} unreachable: ${reason}`);
});
