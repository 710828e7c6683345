import * as dagPb from "@ipld/dag-pb";
import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { toString } from "uint8arrays/to-string";

import { concatChunks } from "./bytes.js";

const DAG_PB = 0x70;
const IDENTITY = 0x00;

export interface CollectOptions {
  readonly signal?: AbortSignal;
  /** Keeps an unmarked block too when true (the node passes Helia's own `pins.isPinned`). */
  readonly keep?: (cid: CID) => Promise<boolean>;
}

/**
 * Mark and sweep over `blockstore`: every block reachable from `roots` is kept, every other block
 * is deleted unless `keep` says otherwise. Returns the CIDs deleted.
 *
 * Helia's own `gc()` keeps only what its per-block pin records name, and the embedded node's pins
 * are one record per root (see `PinRecords`), so the node routes Helia's `gc()` here instead.
 * Blocks are matched by multihash, as the stores key them: the raw and dag-pb CIDs of the same
 * bytes are one block. Under a pinned root, a missing block is skipped and a block of another
 * codec is kept but not followed; a dag-pb block that does not decode fails the collection before
 * anything is deleted.
 */
export async function collectGarbage(
  blockstore: Blockstore,
  roots: Iterable<CID>,
  options: CollectOptions = {},
): Promise<CID[]> {
  const marked = await mark(blockstore, roots, options.signal);
  const unmarked: CID[] = [];
  for await (const { cid } of blockstore.getAll({ signal: options.signal })) {
    if (!marked.has(idOf(cid))) unmarked.push(cid);
  }
  const deleted: CID[] = [];
  for (const cid of unmarked) {
    options.signal?.throwIfAborted();
    if (options.keep !== undefined && (await options.keep(cid))) continue;
    await blockstore.delete(cid, { signal: options.signal });
    deleted.push(cid);
  }
  return deleted;
}

/** The multihashes of every block reachable from `roots` (base64, one string per block). */
async function mark(
  blockstore: Blockstore,
  roots: Iterable<CID>,
  signal?: AbortSignal,
): Promise<Set<string>> {
  const marked = new Set<string>();
  const stack = [...roots];
  for (let cid = stack.pop(); cid !== undefined; cid = stack.pop()) {
    signal?.throwIfAborted();
    const id = idOf(cid);
    if (cid.multihash.code === IDENTITY || marked.has(id)) continue;
    marked.add(id);
    if (cid.code !== DAG_PB || !(await blockstore.has(cid))) continue;
    const node = dagPb.decode(await concatChunks(blockstore.get(cid, { signal })));
    for (const link of node.Links) stack.push(link.Hash);
  }
  return marked;
}

function idOf(cid: CID): string {
  return toString(cid.multihash.bytes, "base64");
}
