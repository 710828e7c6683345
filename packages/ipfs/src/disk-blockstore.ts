import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { FsBlockstore } from "blockstore-fs";
import { NextToLast } from "blockstore-fs/sharding";
import { NotFoundError } from "interface-store";
import type { CID } from "multiformats/cid";

interface Signalled {
  readonly signal?: AbortSignal;
}

let tempFiles = 0;

/**
 * blockstore-fs's FsBlockstore with faster single-block I/O, and the same directory layout (one
 * `.data` file per block, sharded by the next-to-last two base32 characters), so either class reads
 * what the other wrote. Measured on 64 MiB adds and reads, FsBlockstore spent its time creating the
 * shard directory on every write and streaming each block back in 64 KiB chunks; this store creates
 * each shard directory once and reads a block with one `readFile`. Writes stay atomic: a temporary
 * file, then a rename.
 */
export class DiskBlockstore extends FsBlockstore {
  readonly #layout = new NextToLast();
  readonly #shards = new Set<string>();

  override async open(): Promise<void> {
    await super.open();
    for (const entry of await readdir(this.path, { withFileTypes: true })) {
      if (entry.isDirectory()) this.#shards.add(join(this.path, entry.name));
    }
  }

  override async put(
    key: CID,
    value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options?: Signalled,
  ): Promise<CID> {
    if (!(value instanceof Uint8Array)) return super.put(key, value, options);
    options?.signal?.throwIfAborted();
    const { dir, file } = this.#layout.encode(key);
    const shard = join(this.path, dir);
    if (!this.#shards.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.#shards.add(shard);
    }
    const target = join(shard, file);
    const temp = `${target}.${process.pid}.${tempFiles++}.tmp`;
    try {
      await writeFile(temp, value);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return key;
  }

  override async *get(key: CID, options?: Signalled): AsyncGenerator<Uint8Array> {
    const { dir, file } = this.#layout.encode(key);
    try {
      yield await readFile(join(this.path, dir, file), { signal: options?.signal });
    } catch (error) {
      if (error instanceof Error && "code" in error && error.code === "ENOENT") {
        throw new NotFoundError(`block ${key} is not in ${this.path}`);
      }
      throw error;
    }
  }
}
