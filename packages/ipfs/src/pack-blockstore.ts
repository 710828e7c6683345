import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

import type { AbortOptions } from "@libp2p/interface";
import { BaseBlockstore } from "blockstore-core";
import type { InputPair, Pair } from "interface-blockstore";
import { NotFoundError } from "interface-store";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";

import { concatChunks } from "./bytes.js";
import { lockDirectory } from "./dir-lock.js";
import { IpfsError } from "./errors.js";
import { PackFile, type Location } from "./pack-file.js";
import { BLOCK, MAX_DATA_BYTES, MAX_KEY_BYTES, TOMBSTONE } from "./pack-format.js";
import { migrateFileBlocks } from "./pack-migrate.js";

/** The name of pack file number `index` in the store's directory. */
export function packFileName(index: number): string {
  return `blocks-${index}.pack`;
}

const PACK_NAME = /^blocks-(\d+)\.pack$/;
/**
 * Pack files written at once. The kernel writes into one file at a time (its inode lock), and on
 * our VMs a fresh page-cache page costs about 13 µs, so several files fill faster: 64 MiB of new
 * blocks measured 300–590 MB/s into one file, 630–1,100 into two and 790–1,500 into four.
 */
export const DEFAULT_PACKS = 4;
/** puts written at once by `putMany` (the importer and bitswap hand over many blocks at a time). */
const PUT_MANY_WINDOW = 32;
const RAW_CODEC = 0x55;

export interface PackBlockstoreOptions {
  /** Pack files for a new store (default `DEFAULT_PACKS`); an existing store keeps its own number. */
  readonly packs?: number;
}

/**
 * A block store that appends blocks to a few pack files (`blocks-<i>.pack`, format in
 * `pack-format.ts`, one writer each in `pack-file.ts`) and keeps an index of where each block is
 * in memory, rebuilt by scanning the record headers when the store opens.
 *
 * Why not a file per block (blockstore-fs): on our machines a 64 MiB add spent most of its time
 * creating, writing and renaming 257 files (with the page cache warm, writing the blocks as files
 * ran at about 800 MB/s, appending the same bytes to one file at 2–5 GB/s), so the node's add was
 * bound by file operations rather than by hashing.
 *
 * - Blocks are keyed by multihash, as in Kubo and blockstore-fs: the raw and dag-pb CIDs of the
 *   same bytes share one copy. A key always goes to the same pack (by its last byte), so the
 *   records of one key are in the order they were written, and packs can be scanned one by one.
 * - Concurrent puts to a pack are written together, in one positioned `writev` at its end; a block
 *   is visible to `get` and `has` only once its write has completed, and a put or delete of a key
 *   waits for the write of that key in flight. A failed write is truncated away and fails every
 *   put in it.
 * - `delete` appends a tombstone; the space is not reclaimed (only a garbage collection deletes
 *   blocks, and a pack file keeps its bytes: compaction is not written).
 * - What a crash leaves at the end of a pack is cut off when the store opens; a damaged header
 *   anywhere else stops the open with `IPFS_INTEGRITY` rather than losing the blocks after it.
 *   Damaged block bytes are caught where every read is checked: the DAG reader re-hashes each
 *   block against its CID. Writes are not synced (as with blockstore-fs).
 * - Opening a directory that still holds blockstore-fs `.data` files moves them into the packs.
 * - One store per directory: an open store holds the directory's `LOCK` file (see `lockDirectory`),
 *   so a second node on the same directory fails with `IPFS_IN_USE` instead of interleaving its
 *   appends with the first one's.
 */
export class PackBlockstore extends BaseBlockstore {
  readonly path: string;
  readonly #packsForNew: number;
  readonly #index = new Map<string, Location>();
  readonly #pending = new Map<string, Promise<void>>();
  #packs: PackFile[] = [];
  #unlock: (() => Promise<void>) | undefined;
  #open = false;
  #closing = false;

  constructor(path: string, options: PackBlockstoreOptions = {}) {
    super();
    this.path = path;
    this.#packsForNew = options.packs ?? DEFAULT_PACKS;
    if (!Number.isInteger(this.#packsForNew) || this.#packsForNew < 1 || this.#packsForNew > 256) {
      throw new IpfsError(
        "IPFS_INVALID_INPUT",
        `packs must be a whole number from 1 to 256, got ${options.packs}`,
      );
    }
  }

  /** Opens the pack files (created if missing) and indexes them; a no-op when already open. */
  async open(): Promise<void> {
    if (this.#open) return;
    await mkdir(this.path, { recursive: true });
    const unlock = await lockDirectory(this.path);
    const packs: PackFile[] = [];
    try {
      const count = await this.#packCount();
      for (let i = 0; i < count; i++) {
        packs.push(
          await PackFile.open(join(this.path, packFileName(i)), i, ({ kind, key, offset, length }) => {
            const id = Buffer.from(key).toString("base64");
            if (kind === BLOCK) this.#index.set(id, { pack: i, offset, length });
            else this.#index.delete(id);
          }),
        );
      }
    } catch (error) {
      this.#index.clear();
      await Promise.allSettled(packs.map((pack) => pack.close()));
      await unlock();
      throw error;
    }
    this.#packs = packs;
    this.#unlock = unlock;
    this.#open = true;
    this.#closing = false;
    try {
      await migrateFileBlocks(this.path, this);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Lets the writes already accepted finish, then closes; later calls fail with `IPFS_STOPPED`. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#closing = true;
    const packs = this.#packs;
    const unlock = this.#unlock;
    await Promise.allSettled(packs.map((pack) => pack.idle()));
    await Promise.allSettled([...this.#pending.values()]);
    this.#packs = [];
    this.#unlock = undefined;
    this.#open = false;
    this.#index.clear();
    await Promise.all(packs.map((pack) => pack.close()));
    await unlock?.();
  }

  /** Waits for the writes accepted so far and flushes the pack files to the disk. */
  async sync(): Promise<void> {
    this.#live();
    await Promise.all(this.#packs.map((pack) => pack.sync()));
  }

  override has(key: CID): boolean {
    this.#live();
    return this.#index.has(keyOf(key));
  }

  override async put(
    key: CID,
    value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options?: AbortOptions,
  ): Promise<CID> {
    options?.signal?.throwIfAborted();
    const multihash = key.multihash.bytes;
    if (multihash.length > MAX_KEY_BYTES) {
      throw new IpfsError("IPFS_UNSUPPORTED", `block ${key}: a multihash of ${multihash.length} bytes`);
    }
    const data = value instanceof Uint8Array ? value : await concatChunks(value);
    if (data.length > MAX_DATA_BYTES) {
      throw new IpfsError(
        "IPFS_UNSUPPORTED",
        `block ${key}: ${data.length} bytes is more than a pack record holds`,
      );
    }
    const id = keyOf(key);
    await this.#whenSettled(id, () =>
      this.#index.has(id) ? undefined : this.#append(id, BLOCK, multihash, data),
    );
    return key;
  }

  override async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions) {
    const window: Promise<CID>[] = [];
    for await (const { cid, bytes } of source) {
      const put = this.put(cid, bytes, options);
      put.catch(() => undefined); // awaited below, in order; an early throw must not leave it unhandled
      window.push(put);
      if (window.length >= PUT_MANY_WINDOW) yield await (window.shift() as Promise<CID>);
    }
    for (const put of window) yield await put;
  }

  override async *get(key: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted();
    this.#live();
    const location = this.#index.get(keyOf(key));
    const pack = location === undefined ? undefined : this.#packs[location.pack];
    if (location === undefined || pack === undefined)
      throw new NotFoundError(`block ${key} is not in ${this.path}`);
    const bytes = new Uint8Array(location.length);
    if ((await pack.read(location.offset, bytes)) !== location.length) {
      throw new IpfsError("IPFS_INTEGRITY", `block ${key}: ${pack.name} ends inside it`);
    }
    yield bytes;
  }

  /**
   * Reads block `key` into `target` if this store holds it and it is exactly `target.length` bytes
   * long; false otherwise. Unverified, like `get`.
   */
  async readInto(key: CID, target: Uint8Array): Promise<boolean> {
    this.#live();
    const location = this.#index.get(keyOf(key));
    const pack = location === undefined ? undefined : this.#packs[location.pack];
    if (location === undefined || pack === undefined || location.length !== target.length) return false;
    return (await pack.read(location.offset, target)) === target.length;
  }

  override async *getAll(options?: AbortOptions): AsyncGenerator<Pair> {
    this.#live();
    for (const id of [...this.#index.keys()]) {
      options?.signal?.throwIfAborted();
      const cid = CID.createV1(RAW_CODEC, Digest.decode(Buffer.from(id, "base64")));
      yield { cid, bytes: this.get(cid, options) };
    }
  }

  override async delete(key: CID, options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const id = keyOf(key);
    const tombstone = new Uint8Array(0);
    await this.#whenSettled(id, () =>
      this.#index.has(id) ? this.#append(id, TOMBSTONE, key.multihash.bytes, tombstone) : undefined,
    );
  }

  /** How many pack files this store has: those on disk (numbered from 0), or the option when new. */
  async #packCount(): Promise<number> {
    const numbers = (await readdir(this.path)).flatMap((name) => {
      const match = PACK_NAME.exec(name);
      return match === null ? [] : [Number(match[1])];
    });
    return numbers.length === 0 ? this.#packsForNew : Math.max(...numbers) + 1;
  }

  /**
   * Runs `step` once no write of `key` is in flight (whether it succeeded or not), in the same turn
   * as the check, so that nothing can start a write of the key in between.
   */
  async #whenSettled(key: string, step: () => Promise<void> | undefined): Promise<void> {
    for (;;) {
      const inFlight = this.#pending.get(key);
      if (inFlight === undefined) return step();
      await inFlight.catch(() => undefined);
    }
  }

  #live(): void {
    if (!this.#open || this.#closing)
      throw new IpfsError("IPFS_STOPPED", `block store ${this.path} is closed`);
  }

  /** Writes a record of `key` to its pack, then updates the index; `key`'s write in flight until then. */
  #append(key: string, kind: number, multihash: Uint8Array, data: Uint8Array): Promise<void> {
    this.#live();
    const pack = this.#packs[(multihash.at(-1) ?? 0) % this.#packs.length] as PackFile;
    const written = pack.append(kind, multihash, data).then((location) => {
      if (kind === BLOCK) this.#index.set(key, location);
      else this.#index.delete(key);
    });
    this.#pending.set(key, written);
    const settled = (): void => {
      if (this.#pending.get(key) === written) this.#pending.delete(key);
    };
    written.then(settled, settled);
    return written;
  }
}

function keyOf(cid: CID): string {
  return Buffer.from(cid.multihash.bytes).toString("base64");
}
