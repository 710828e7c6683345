import { getBytes } from "ethers";
import { CID } from "multiformats/cid";

import { ClientError } from "./errors.js";
import type { ChainContext } from "./context.js";
import type { ImageInfo, VersionEvent } from "./registry/index.js";
import { imageIdHex } from "./image-id.js";

/** One version of an image as the chain records it. */
export interface VersionRecord {
  readonly imageId: bigint;
  readonly version: bigint;
  /** Merkle root over the fragment leaves and the manifest leaf (from storage). */
  readonly root: string;
  /** Where the manifest lives on IPFS (a locator: the root is what vouches for it). */
  readonly manifestCid: CID;
  /** Who registered it (the owner at the time, or an editor). */
  readonly editor: string;
  readonly blockNumber: number;
  /** Block time, in seconds since the epoch. */
  readonly timestamp: number;
  readonly transactionHash: string;
}

/**
 * A version's record: the root from storage; the manifest CID and block time from its event
 * (`ImageRegistered` for version 1, `VersionAdded` after), read with `eth_getLogs` in the one block
 * the registry recorded for it, so any standard JSON-RPC node answers, however long the chain.
 */
export async function versionRecord(
  context: ChainContext,
  imageId: bigint,
  version: bigint,
): Promise<VersionRecord> {
  return versionRecordOf(context, await context.registry.imageInfo(imageId), version);
}

/** `versionRecord` for an image whose info is already read (it holds the latest version's block). */
export async function versionRecordOf(
  context: ChainContext,
  info: ImageInfo,
  version: bigint,
): Promise<VersionRecord> {
  const { registry } = context;
  const { imageId } = info;
  const root = await registry.versionRoot(imageId, version);
  const event = await versionEventOf(context, info, version);
  return {
    imageId,
    version,
    root,
    manifestCid: decodeCid(event.manifestCid),
    editor: event.editor,
    blockNumber: event.blockNumber,
    timestamp: await registry.blockTimestamp(event.blockNumber),
    transactionHash: event.transactionHash,
  };
}

/**
 * The version's event: the latest is in `info.versionBlock`, and each `VersionAdded` names the
 * block of the version before, so an earlier version costs one single-block query per later one.
 */
async function versionEventOf(
  context: ChainContext,
  info: ImageInfo,
  version: bigint,
): Promise<VersionEvent> {
  let block = info.versionBlock;
  for (let current = info.versionCount; current >= version; current--) {
    const event = await context.registry.versionEvent(info.imageId, current, block);
    if (event === undefined) break;
    if (current === version) return event;
    if (event.previousVersionBlock === undefined) break;
    block = event.previousVersionBlock;
  }
  throw new ClientError(
    "CLIENT_UNKNOWN_VERSION",
    `image ${imageIdHex(info.imageId)} version ${version} has a root on chain but no event in block ${block}, where the registry recorded it: is the provider on the registry's chain?`,
  );
}

/** The CID in binary form, as the registry's events carry it. */
export function decodeCid(bytes: string): CID {
  try {
    return CID.decode(getBytes(bytes));
  } catch (error) {
    throw new ClientError(
      "CLIENT_MANIFEST_UNAVAILABLE",
      `the registered manifest CID ${bytes} is not a CID`,
      {
        cause: error,
      },
    );
  }
}

/** The version to use: `requested` when given (checked), else the latest. */
export async function resolveVersion(
  context: ChainContext,
  imageId: bigint,
  requested?: bigint,
): Promise<bigint> {
  return versionOf(await context.registry.imageInfo(imageId), requested);
}

/** The version of `info`'s image to use: `requested` when given (checked), else the latest. */
export function versionOf(info: ImageInfo, requested?: bigint): bigint {
  if (requested === undefined) return info.versionCount;
  if (requested < 1n || requested > info.versionCount) {
    throw new ClientError(
      "CLIENT_UNKNOWN_VERSION",
      `image ${imageIdHex(info.imageId)} has no version ${requested}`,
    );
  }
  return requested;
}
