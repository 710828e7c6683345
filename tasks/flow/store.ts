import { parseKernel, type CodecChoice } from "@disp/core";
import {
  imageIdHex,
  replicaNodes,
  storeImage,
  type ChainContext,
  type StoreResult,
  type StoreTarget,
} from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { TaskInputError, cliAction, positiveInteger, readInput, required } from "../cli.js";
import { idOption, openSession, withClient } from "./session.js";

interface StoreArgs {
  image: string | undefined;
  community: string | undefined;
  mode: string;
  replicas: string | undefined;
  kernel: string | undefined;
  codec: string;
  timeout: string;
  registry: string | undefined;
  ipfs: string | undefined;
  from: string | undefined;
  json: boolean;
}

/** disp:store — store an image with a community, or replicate it whole on r nodes. */
export default cliAction(async (args: StoreArgs, hre: HardhatRuntimeEnvironment) => {
  const bytes = await readInput(required(args.image, "image"));
  const codec = codecOption(args.codec);
  const kernel = args.kernel === undefined ? undefined : parseKernel(args.kernel);
  const timeoutMs = positiveInteger(args.timeout, "timeout") * 1000;
  const session = await openSession(hre, args);
  const target = await targetOf(args, session, session.deployment.communityId);
  const result = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    storeImage(client, bytes, target, { kernel, codec, timeoutMs, onProgress }),
  );
  printStored(result, bytes.length, args.json);
});

export function codecOption(value: string): CodecChoice {
  if (value === "auto" || value === "png" || value === "jpeg") return value;
  throw new TaskInputError(`--codec must be auto, png or jpeg, got "${value}"`);
}

async function targetOf(
  args: StoreArgs,
  session: ChainContext,
  recordedCommunity: string | undefined,
): Promise<StoreTarget> {
  if (args.mode === "disp") {
    return { mode: "disp", communityId: idOption(args.community ?? recordedCommunity, "community") };
  }
  if (args.mode !== "replicate")
    throw new TaskInputError(`--mode must be disp or replicate, got "${args.mode}"`);
  const replicas = positiveInteger(required(args.replicas, "replicas"), "replicas");
  const community = args.community ?? recordedCommunity;
  const nodes = await replicaNodes(
    session,
    replicas,
    community === undefined ? undefined : idOption(community, "community"),
  );
  return { mode: "replicate", nodes };
}

export function printStored(result: StoreResult, sourceBytes: number, json: boolean): void {
  if (result.fallback !== undefined) {
    console.error(
      `note: ${result.fallback.reason}; stored with the PNG pixel codec instead (${(result.storedBytes / sourceBytes).toFixed(2)}× the file's bytes)`,
    );
  }
  const summary = {
    imageId: imageIdHex(result.imageId),
    version: result.version.toString(),
    mode: result.mode,
    codec: result.codec,
    manifestCid: result.manifestCid,
    root: result.root,
    contentHash: result.contentHash,
    storedBytesRatio: Math.round((result.storedBytes / sourceBytes) * 1000) / 1000,
    parts: result.parts,
    transactionHash: result.transactionHash,
  };
  if (json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(
    `image ${summary.imageId} version ${summary.version} stored (${result.mode}, ${result.codec} codec)`,
  );
  for (const part of result.parts)
    console.log(`  slot ${part.index}  ${part.node}  ${part.size} bytes  ${part.cid}`);
  console.log(`manifest ${summary.manifestCid}  root ${summary.root}`);
  console.log(`bytes kept across the nodes: ${summary.storedBytesRatio}× the file`);
}
