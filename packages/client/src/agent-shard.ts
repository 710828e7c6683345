import { ParityError, restoreShard, shardEntry } from "@disp/core";
import { CID, type IpfsNode } from "@disp/ipfs";

import { ClientError, messageOf } from "./errors.js";
import { fetchShards, shardsInLeafOrder } from "./fetch-parts.js";
import type { OpenVersion } from "./open-version.js";

/** How long a shard of a version with parity is waited for before it is rebuilt from the others. */
const DIRECT_WAIT_MS = 5000;

/**
 * Shard `index` of an opened version, as a node agent gets what it keeps: fetched as it is, or,
 * when no holder serves it and the version has parity, rebuilt bit-exactly from k of the others
 * (checked against its entry, so against the leaf on chain). Without parity a shard nobody serves
 * cannot be had: the fetch's error stands.
 */
export async function obtainShard(
  ipfs: IpfsNode,
  opened: OpenVersion,
  index: number,
  reading: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<{ bytes: Uint8Array; rebuilt: boolean }> {
  const { manifest } = opened;
  const entry = shardEntry(manifest, index);
  if (entry === undefined) throw new ClientError("CLIENT_MANIFEST_MISMATCH", `no shard ${index}`);
  // With parity, a shard nobody serves soon is rebuilt rather than waited for (a repair's case).
  const direct = manifest.parity === null ? reading.timeoutMs : Math.min(reading.timeoutMs, DIRECT_WAIT_MS);
  try {
    const bytes = await ipfs.cat(CID.parse(entry.cid), {
      ...reading,
      timeoutMs: direct,
      maxBytes: entry.size,
    });
    return { bytes, rebuilt: false };
  } catch (error) {
    if (reading.signal.aborted || manifest.parity === null) throw error;
    const parts = await fetchShards(ipfs, opened, { ...reading, skip: index });
    try {
      return {
        bytes: await restoreShard(manifest, shardsInLeafOrder(manifest, parts), index),
        rebuilt: true,
      };
    } catch (repairError) {
      if (!(repairError instanceof ParityError)) throw repairError;
      throw new ClientError(
        repairError.code === "PARITY_TOO_MANY_LOST" ? "CLIENT_NOTHING_RETRIEVED" : "CLIENT_MANIFEST_MISMATCH",
        `shard ${index} could not be fetched (${messageOf(error)}) nor rebuilt: ${messageOf(repairError)}`,
        { cause: repairError },
      );
    }
  }
}
