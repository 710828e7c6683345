import { parseKernel } from "@disp/core";
import {
  imageIdHex,
  replicaNodes,
  storeImage,
  type EncodeOptions,
  type StoreResult,
  type StoreTarget,
} from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, readInput } from "../cli.js";
import { given } from "../option-specs.js";
import { codecOption, oneOf, positive, required, visibilityOption } from "../options.js";
import { communityOf, openSession, requiredCommunity, withClient, type Session } from "./session.js";

interface StoreArgs {
  image: string | undefined;
  community: bigint;
  mode: string;
  replicas: number;
  kernel: string | undefined;
  parity: number;
  codec: string;
  visibility: string;
  timeout: number;
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  json: boolean;
}

/** disp:store — store an image with a community, or replicate it whole on r nodes. */
export default cliAction(async (args: StoreArgs, hre: HardhatRuntimeEnvironment) => {
  const bytes = await readInput(required(args.image, "image"));
  const encoding = encodeOptionsOf(args);
  const session = await openSession(hre, args);
  const target = await targetOf(args, session);
  const result = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    storeImage(client, bytes, target, { ...encoding, onProgress }),
  );
  printStored(result, bytes.length, args.json);
});

/** The encoding options store and update share, parsed (--visibility: update's default is the latest's). */
export function encodeOptionsOf(args: {
  kernel: string | undefined;
  parity: number;
  codec: string;
  visibility: string | undefined;
  timeout: number;
}): EncodeOptions {
  return {
    kernel: args.kernel === undefined ? undefined : parseKernel(args.kernel),
    parity: given(args.parity),
    codec: codecOption(args.codec),
    visibility: args.visibility === undefined ? undefined : visibilityOption(args.visibility),
    timeoutMs: positive(args.timeout, "timeout") * 1000,
  };
}

const MODES = ["disp", "replicate"] as const;

async function targetOf(args: StoreArgs, session: Session): Promise<StoreTarget> {
  const mode = oneOf(args.mode, MODES, "mode");
  if (mode === "disp") return { mode, communityId: requiredCommunity(session, args.community) };
  const replicas = positive(required(given(args.replicas), "replicas"), "replicas");
  return { mode, nodes: await replicaNodes(session, replicas, communityOf(session, args.community)) };
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
    visibility: result.visibility,
    codec: result.codec,
    fidelity: result.fidelity,
    parity: result.parity,
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
  const shape = result.parity === null ? "" : `, ${result.parity} shards`;
  console.log(
    `image ${summary.imageId} version ${summary.version} stored ${result.visibility} (${result.mode}, ${result.codec} codec${shape}; a full retrieve is ${result.fidelity})`,
  );
  for (const part of result.parts)
    console.log(`  slot ${part.index}  ${part.node}  ${part.size} bytes  ${part.cid}`);
  console.log(`manifest ${summary.manifestCid}  root ${summary.root}`);
  console.log(`bytes kept across the nodes: ${summary.storedBytesRatio}× the file`);
  if (result.parity?.endsWith("+0") === true) {
    console.log("note: no parity shards: one lost node loses the exact image (a community of 6 keeps 4+2)");
  }
}
