import { computeCid, sha256Hex, type FragmentEntry, type UnixFsSettings } from "@disp/protocol";

import type { Manifest } from "../manifest/schema.js";

/** Why a shard file is not the one its manifest entry names. */
export type ShardMismatch = "SHARD_SIZE_MISMATCH" | "SHARD_CID_MISMATCH" | "SHARD_DIGEST_MISMATCH";

/**
 * Checks one shard file (a fragment or a parity shard) against its manifest entry without decoding
 * it: size, CID (with the manifest's UnixFS settings) and SHA-256 (the digest in its Merkle leaf).
 * Undefined when the file is the one the entry names, else what differs and why.
 */
export async function checkShardBytes(
  entry: FragmentEntry,
  unixfs: UnixFsSettings,
  bytes: Uint8Array,
): Promise<{ code: ShardMismatch; reason: string } | undefined> {
  if (bytes.length !== entry.size) {
    return {
      code: "SHARD_SIZE_MISMATCH",
      reason: `is ${bytes.length} bytes, the manifest says ${entry.size}`,
    };
  }
  if ((await computeCid(bytes, unixfs)).toString() !== entry.cid) {
    return { code: "SHARD_CID_MISMATCH", reason: "does not match its CID" };
  }
  if (sha256Hex(bytes) !== entry.sha256)
    return { code: "SHARD_DIGEST_MISMATCH", reason: "does not match its SHA-256" };
  return undefined;
}

/** checkShardBytes for fragment `index` of a manifest: undefined when it matches, else why not. */
export async function checkFragmentBytes(
  manifest: Manifest,
  index: number,
  bytes: Uint8Array,
): Promise<string | undefined> {
  const entry = manifest.fragments[index];
  if (entry === undefined) return "not in the manifest";
  return (await checkShardBytes(entry, manifest.unixfs, bytes))?.reason;
}
