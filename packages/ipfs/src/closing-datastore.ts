import type { AbortOptions } from "@libp2p/interface";
import { FsDatastore } from "datastore-fs";
import type { Key } from "interface-datastore";

/**
 * The embedded node's datastore (peer store, keys, pin records). libp2p's peer store may still flush
 * a record a moment after the node has stopped; once closed, this store ignores such late writes
 * instead of re-creating directories its owner may already have removed.
 */
export class ClosingFsDatastore extends FsDatastore {
  #closed = false;

  override async open(): Promise<void> {
    this.#closed = false;
    await super.open();
  }

  override async close(): Promise<void> {
    this.#closed = true;
    await super.close();
  }

  override async put(key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    if (this.#closed) return key;
    return super.put(key, value, options);
  }
}
