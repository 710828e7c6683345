import { readdir, readFile, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";

import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";

interface BlockSink {
  put(key: CID, value: Uint8Array): Promise<CID>;
  /** Makes what was put durable. */
  sync(): Promise<void>;
}

/** blockstore-fs's default layout: `<2 chars>/<base32upper multihash>.data`. */
const SHARD = /^[A-Z2-7]{2}$/;
const EXTENSION = ".data";
const RAW_CODEC = 0x55;

/**
 * Moves the blocks of a blockstore-fs store in `path` (one `.data` file per block in shard
 * directories named by the next-to-last two characters of the multihash: the layout embedded nodes
 * used before the pack file) into `sink`. The files are deleted once every block is in the sink
 * and synced to the disk, so an interrupted move loses nothing and resumes at the next open. A file
 * whose name is not a multihash is left where it is. Returns how many blocks it moved.
 */
export async function migrateFileBlocks(path: string, sink: BlockSink): Promise<number> {
  const moved: string[] = [];
  const shards: string[] = [];
  for (const shard of await readdir(path, { withFileTypes: true })) {
    if (!shard.isDirectory() || !SHARD.test(shard.name)) continue;
    const shardPath = join(path, shard.name);
    shards.push(shardPath);
    for (const name of await readdir(shardPath)) {
      const cid = blockCidOf(name);
      if (cid === undefined) continue;
      const file = join(shardPath, name);
      await sink.put(cid, await readFile(file));
      moved.push(file);
    }
  }
  if (moved.length === 0) return 0;
  await sink.sync();
  for (const file of moved) await rm(file);
  for (const shard of shards) await rmdir(shard).catch(() => undefined); // kept if anything else is in it
  return moved.length;
}

function blockCidOf(name: string): CID | undefined {
  if (!name.endsWith(EXTENSION)) return undefined;
  try {
    return CID.createV1(RAW_CODEC, Digest.decode(base32upper.decode(name.slice(0, -EXTENSION.length))));
  } catch {
    return undefined;
  }
}
