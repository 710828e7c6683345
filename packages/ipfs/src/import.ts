import { importerOptions, type UnixFsSettings } from "@disp/protocol";
import { importer, type WritableStorage } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";

import { IpfsError } from "./errors.js";

/**
 * Imports `bytes` as one UnixFS file into `blockstore` with `settings` (through `importerOptions()`,
 * the definition `computeCid()` uses too) and returns the root CID. `blockWriteConcurrency` blocks
 * are written at once; it does not change the CID. Leaves are hashed on this thread: hashing them
 * with WebCrypto on the thread pool copies their input and queues behind the block writes on the
 * same libuv threads, which is slower (figures in docs/benchmarks.md).
 */
export async function importFile(
  bytes: Uint8Array,
  blockstore: WritableStorage,
  settings: UnixFsSettings,
  blockWriteConcurrency: number,
): Promise<CID> {
  const options = { ...importerOptions(settings), blockWriteConcurrency };
  let root: CID | undefined;
  for await (const entry of importer([{ content: bytes }], blockstore, options)) root = entry.cid;
  if (root === undefined) throw new IpfsError("IPFS_FAILED", "add: the importer returned no CID");
  return root;
}
