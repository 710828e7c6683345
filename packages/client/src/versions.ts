import { getBytes } from "ethers";
import { CID } from "multiformats/cid";

import { ClientError } from "./errors.js";
import { read, type DispRegistry } from "./registry.js";
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
 * Where to start scanning logs: the registry's deployment block if known (scanning from 0 is correct
 * but slower on long chains).
 */
export interface LogRange {
  readonly fromBlock?: number;
}

/**
 * A version's record: the root from storage; the manifest CID and block time from its
 * event (`ImageRegistered` for version 1, `VersionAdded` after), found with `eth_getLogs` by the
 * indexed image id and version, so any standard JSON-RPC node can answer.
 */
export async function versionRecord(
  registry: DispRegistry,
  imageId: bigint,
  version: bigint,
  range: LogRange = {},
): Promise<VersionRecord> {
  const root = await read(registry, () => registry.versionRoot(imageId, version));
  const fromBlock = range.fromBlock ?? 0;
  const found =
    version === 1n
      ? (await registry.queryFilter(registry.filters.ImageRegistered(imageId), fromBlock)).map((log) => ({
          log,
          editor: log.args.owner,
          manifestCid: log.args.manifestCid,
        }))
      : (await registry.queryFilter(registry.filters.VersionAdded(imageId, version), fromBlock)).map(
          (log) => ({
            log,
            editor: log.args.editor,
            manifestCid: log.args.manifestCid,
          }),
        );
  const event = found[0];
  if (event === undefined) {
    throw new ClientError(
      "CLIENT_UNKNOWN_VERSION",
      `image ${imageIdHex(imageId)} version ${version} has a root on chain but no event from block ${fromBlock}: is the log range right?`,
    );
  }
  const block = await event.log.getBlock();
  return {
    imageId,
    version,
    root,
    manifestCid: decodeCid(event.manifestCid),
    editor: event.editor,
    blockNumber: event.log.blockNumber,
    timestamp: block.timestamp,
    transactionHash: event.log.transactionHash,
  };
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
  registry: DispRegistry,
  imageId: bigint,
  requested?: bigint,
): Promise<bigint> {
  const info = await read(registry, () => registry.imageInfo(imageId));
  if (requested === undefined) return info.versionCount;
  if (requested < 1n || requested > info.versionCount) {
    throw new ClientError(
      "CLIENT_UNKNOWN_VERSION",
      `image ${imageIdHex(imageId)} has no version ${requested}`,
    );
  }
  return requested;
}
