import { createHash } from "node:crypto";

import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";

const RAW = 0x55;
const SHA2_256 = 0x12;

/** One block of a hand-made DAG: its CID and bytes, ready to put in a block store. */
export interface Block {
  readonly cid: CID;
  readonly bytes: Uint8Array;
}

function cidOf(code: number, bytes: Uint8Array): CID {
  const digest = createHash("sha256").update(bytes).digest();
  return CID.createV1(code, Digest.create(SHA2_256, digest));
}

/** A raw leaf holding `bytes`. */
export function rawBlock(bytes: Uint8Array): Block {
  return { cid: cidOf(RAW, bytes), bytes };
}

/**
 * A UnixFS file node linking `links` in order, each with the content size it *declares* (which a
 * hostile DAG sets at will), and optionally data of its own.
 */
export function fileNode(links: readonly { cid: CID; size: number }[], data?: Uint8Array): Block {
  const unixfs = new UnixFS({ type: "file", data, blockSizes: links.map((link) => BigInt(link.size)) });
  const bytes = dagPb.encode(
    dagPb.prepare({
      Data: unixfs.marshal(),
      Links: links.map((link) => ({ Hash: link.cid, Tsize: link.size })),
    }),
  );
  return { cid: cidOf(dagPb.code, bytes), bytes };
}

/** `count` links to the same child, each declaring `size` bytes. */
export function repeated(child: CID, count: number, size: number): { cid: CID; size: number }[] {
  return Array.from({ length: count }, () => ({ cid: child, size }));
}

/**
 * The 3-block DAG bomb of issue 14: a root and a middle node each linking the next block `width`
 * times with declared sizes of 0, over an empty file node. 84 KB of blocks at width 1024, yet a
 * reader trusting the sizes visits width² leaves (a million) and keeps a promise for each.
 */
export function dagBomb(width = 1024): { root: CID; blocks: Block[] } {
  const empty = fileNode([]);
  const middle = fileNode(repeated(empty.cid, width, 0));
  const root = fileNode(repeated(middle.cid, width, 0));
  return { root: root.cid, blocks: [root, middle, empty] };
}
