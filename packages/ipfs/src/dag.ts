import { createHash } from "node:crypto";

import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import PQueue from "p-queue";
import { equals } from "uint8arrays/equals";

import { IpfsError, messageOf } from "./errors.js";
import type { GetBlock } from "./node.js";
import { retryStalled } from "./stall.js";

/**
 * Reading a UnixFS file block by block, checking every block against its CID as it arrives.
 *
 * Neither Helia nor Kubo re-hashes blocks it reads from its own store, and Helia does not check
 * blocks it imports: a flipped bit on disk would be served as content. So both node implementations
 * read through this walker, which accepts no byte it has not hashed.
 */

const RAW = 0x55;
const DAG_PB = 0x70;
const IDENTITY = 0x00;
const SHA2_256 = 0x12;

/** Throws `IPFS_UNSUPPORTED` for a CID this walker could not verify or read, before any fetch. */
export function assertReadable(cid: CID): void {
  const hash = cid.multihash.code;
  if (hash !== SHA2_256 && hash !== IDENTITY) {
    throw new IpfsError("IPFS_UNSUPPORTED", `cannot verify ${cid}: multihash 0x${hash.toString(16)}`);
  }
  if (cid.code !== RAW && cid.code !== DAG_PB) {
    throw new IpfsError("IPFS_UNSUPPORTED", `${cid} is not a UnixFS file (codec 0x${cid.code.toString(16)})`);
  }
}

/** Throws `IPFS_INTEGRITY` unless `bytes` hash to `cid`'s multihash. */
export function verifyBlock(cid: CID, bytes: Uint8Array): void {
  assertReadable(cid);
  const { code, digest } = cid.multihash;
  const actual = code === SHA2_256 ? createHash("sha256").update(bytes).digest() : bytes;
  if (!equals(actual, digest)) {
    throw new IpfsError("IPFS_INTEGRITY", `block ${cid} does not hash to its CID (${bytes.length} bytes)`);
  }
}

interface FileNode {
  /** Content bytes held by this block itself (a raw leaf, or data inlined in a UnixFS node). */
  readonly data: Uint8Array | undefined;
  /** Child blocks in content order, each with the number of content bytes below it. */
  readonly children: readonly { readonly cid: CID; readonly size: number }[];
  /** Content bytes below this block, its own included. */
  readonly size: number;
}

/** Decodes a verified block as a piece of a UnixFS file. */
function decodeFileNode(cid: CID, bytes: Uint8Array): FileNode {
  assertReadable(cid);
  if (cid.code === RAW) return { data: bytes, children: [], size: bytes.length };
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(bytes);
    if (node.Data === undefined) throw new Error("no UnixFS data");
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (error) {
    throw new IpfsError("IPFS_UNSUPPORTED", `${cid} is not a UnixFS node: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (unixfs.type !== "file" && unixfs.type !== "raw") {
    throw new IpfsError("IPFS_UNSUPPORTED", `${cid} is a UnixFS ${unixfs.type}, not a file`);
  }
  if (unixfs.blockSizes.length !== node.Links.length) {
    throw new IpfsError(
      "IPFS_INTEGRITY",
      `${cid} lists ${unixfs.blockSizes.length} block sizes for ${node.Links.length} links`,
    );
  }
  const children = node.Links.map((link, i) => ({ cid: link.Hash, size: Number(unixfs.blockSizes[i]) }));
  const size = (unixfs.data?.length ?? 0) + children.reduce((sum, child) => sum + child.size, 0);
  return { data: unixfs.data, children, size };
}

export interface WalkOptions {
  readonly signal: AbortSignal;
  /** Blocks requested at once (bitswap needs several in flight to fill the pipe). */
  readonly concurrency: number;
  /** Refuse files larger than this, before allocating anything. */
  readonly maxBytes?: number;
  /** Ask again for pending blocks when none has arrived for this long (see `retryStalled`). */
  readonly stallMs?: number;
}

/** Where the walker delivers a file: its size first, then every piece of content at its offset. */
interface Sink {
  start(size: number): void;
  data(offset: number, bytes: Uint8Array): void;
  /**
   * Optionally puts the raw leaf `cid` (of `size` content bytes, at `offset`) in place itself,
   * verified; false to have it fetched and delivered through `data` instead.
   */
  leaf?(cid: CID, offset: number, size: number, signal: AbortSignal): Promise<boolean>;
}

/** Reads a locally held block straight into `target`; false when it cannot (not held, other size). */
export type ReadBlockInto = (cid: CID, target: Uint8Array, signal: AbortSignal) => Promise<boolean>;

/**
 * Visits every block of the file DAG under `root` (children concurrently, at most `concurrency`
 * fetches at once), verifying each block and checking the DAG's sizes agree with what it holds.
 * The first failure cancels the outstanding fetches.
 */
async function walkFile(root: CID, getBlock: GetBlock, options: WalkOptions, sink: Sink): Promise<void> {
  const failure = new AbortController();
  const signal = AbortSignal.any([options.signal, failure.signal]);
  // FIFO with a concurrency cap: the same p-queue Helia and libp2p use for their own limits.
  const queue = new PQueue({ concurrency: options.concurrency });
  const slot = <T>(task: () => Promise<T>): Promise<T> => queue.add(task);
  const guard = options.stallMs === undefined ? undefined : retryStalled(getBlock, options.stallMs);
  const get = guard?.getBlock ?? getBlock;

  const fetchNode = async (cid: CID): Promise<FileNode> => {
    assertReadable(cid);
    const bytes = await slot(() => get(cid, signal));
    verifyBlock(cid, bytes);
    return decodeFileNode(cid, bytes);
  };
  const visit = async (node: FileNode, offset: number): Promise<void> => {
    if (node.data !== undefined && node.data.length > 0) sink.data(offset, node.data);
    let childOffset = offset + (node.data?.length ?? 0);
    await Promise.all(
      node.children.map((child) => {
        const at = childOffset;
        childOffset += child.size;
        const fetched = async (): Promise<void> => {
          const childNode = await fetchNode(child.cid);
          if (childNode.size !== child.size) {
            throw new IpfsError(
              "IPFS_INTEGRITY",
              `${child.cid} holds ${childNode.size} bytes, its parent says ${child.size}`,
            );
          }
          await visit(childNode, at);
        };
        const { leaf } = sink;
        if (leaf === undefined || child.cid.code !== RAW) return fetched();
        return slot(() => leaf(child.cid, at, child.size, signal)).then((placed) =>
          placed ? undefined : fetched(),
        );
      }),
    );
  };

  try {
    const rootNode = await fetchNode(root);
    if (options.maxBytes !== undefined && rootNode.size > options.maxBytes) {
      throw new IpfsError(
        "IPFS_TOO_LARGE",
        `${root} holds ${rootNode.size} bytes, more than ${options.maxBytes}`,
      );
    }
    sink.start(rootNode.size);
    await visit(rootNode, 0);
  } catch (error) {
    failure.abort(error);
    throw error;
  } finally {
    guard?.close();
  }
}

/**
 * The file's bytes, every block verified against its CID. With `readInto`, raw leaves held locally
 * are read straight into the result (and verified there) instead of being copied into it.
 */
export async function readFile(
  root: CID,
  getBlock: GetBlock,
  options: WalkOptions & { readonly readInto?: ReadBlockInto },
): Promise<Uint8Array> {
  let out = new Uint8Array(0);
  const { readInto } = options;
  const inside = (offset: number, length: number): void => {
    if (offset + length > out.length) {
      throw new IpfsError("IPFS_INTEGRITY", `${root}: content runs past the file size ${out.length}`);
    }
  };
  await walkFile(root, getBlock, options, {
    start: (size) => {
      out = new Uint8Array(size);
    },
    data: (offset, bytes) => {
      inside(offset, bytes.length);
      out.set(bytes, offset);
    },
    leaf:
      readInto === undefined
        ? undefined
        : async (cid, offset, size, signal) => {
            inside(offset, size);
            const target = out.subarray(offset, offset + size);
            if (!(await readInto(cid, target, signal))) return false;
            verifyBlock(cid, target);
            return true;
          },
  });
  return out;
}

/** Fetches and verifies every block of the file (e.g. before pinning it), keeping none in memory. */
export async function fetchFile(root: CID, getBlock: GetBlock, options: WalkOptions): Promise<void> {
  await walkFile(root, getBlock, options, { start: () => undefined, data: () => undefined });
}

/**
 * True when every block of the file under `root` is held locally. `getLocal` must not go to the
 * network and must throw when a block is absent; raw leaves are only checked with `hasLocal`.
 */
export async function holdsFile(
  root: CID,
  getLocal: (cid: CID) => Promise<Uint8Array>,
  hasLocal: (cid: CID) => Promise<boolean>,
): Promise<boolean> {
  const holds = async (cid: CID): Promise<boolean> => {
    assertReadable(cid);
    if (cid.code === RAW) return hasLocal(cid);
    let bytes: Uint8Array;
    try {
      bytes = await getLocal(cid);
    } catch {
      return false;
    }
    const node = decodeFileNode(cid, bytes);
    for (const child of node.children) {
      if (!(await holds(child.cid))) return false;
    }
    return true;
  };
  return holds(root);
}
