import { importerOptions, type UnixFsSettings } from "@disp/core";
import { importer, type BufferImporter, type WritableStorage } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";

import { IpfsError } from "./errors.js";

const SHA2_256 = 0x12;

/**
 * ipfs-unixfs-importer's own buffer importer for raw leaves, except that it hashes each leaf with
 * WebCrypto, which Node runs on its thread pool: with several leaves in flight they hash on every
 * core at once instead of one after another on the main thread. The leaves are the same (SHA-256,
 * CIDv1, raw codec), so the CIDs are too; interior nodes are built by the importer as usual.
 */
const threadPoolRawLeaves: BufferImporter = async function* (file, blockstore) {
  for await (const block of file.content) {
    yield async () => {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", block));
      const cid = CID.createV1(raw.code, createDigest(SHA2_256, digest));
      await blockstore.put(cid, block);
      return { cid, size: BigInt(block.length), block };
    };
  }
};

/**
 * Imports `bytes` as one UnixFS file into `blockstore` with `settings` (through `importerOptions()`,
 * the definition `computeCid()` uses too) and returns the root CID.
 */
export async function importFile(
  bytes: Uint8Array,
  blockstore: WritableStorage,
  settings: UnixFsSettings,
  blockWriteConcurrency: number,
): Promise<CID> {
  const options = { ...importerOptions(settings), blockWriteConcurrency };
  if (settings.rawLeaves) options.bufferImporter = threadPoolRawLeaves;
  let root: CID | undefined;
  for await (const entry of importer([{ content: bytes }], blockstore, options)) root = entry.cid;
  if (root === undefined) throw new IpfsError("IPFS_FAILED", "add: the importer returned no CID");
  return root;
}
