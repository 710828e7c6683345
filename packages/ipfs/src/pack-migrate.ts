import { readdir, readFile, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";

import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";

interface BlockSink {
  put(key: CID, value: Uint8Array): Promise<CID>;
}

/** blockstore-fs's default layout: `<2 chars>/<base32upper multihash>.data`. */
const SHARD = /^[A-Z2-7]{2}$/;
const EXTENSION = ".data";
const RAW_CODEC = 0x55;

/**
 * Moves the blocks of a blockstore-fs store in `path` (one `.data` file per block in shard
 * directories named by the next-to-last two characters of the multihash: the layout embedded nodes
 * used before the pack file) into `sink`, then deletes the files and the emptied shard directories.
 * Each file is deleted only after its block is written, so an interrupted move resumes at the next
 * open. Returns how many blocks it moved; 0 when there is no such directory.
 */
export async function migrateFileBlocks(path: string, sink: BlockSink): Promise<number> {
  let moved = 0;
  for (const shard of await readdir(path, { withFileTypes: true })) {
    if (!shard.isDirectory() || !SHARD.test(shard.name)) continue;
    const shardPath = join(path, shard.name);
    for (const name of await readdir(shardPath)) {
      if (!name.endsWith(EXTENSION)) continue;
      const file = join(shardPath, name);
      const multihash = Digest.decode(base32upper.decode(name.slice(0, -EXTENSION.length)));
      await sink.put(CID.createV1(RAW_CODEC, multihash), await readFile(file));
      await rm(file);
      moved++;
    }
    await rmdir(shardPath).catch(() => undefined); // kept if anything else is in it
  }
  return moved;
}
