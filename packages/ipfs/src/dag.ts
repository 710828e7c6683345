import { createHash } from "node:crypto";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

import { MAX_UNIXFS_CHILDREN, MIN_UNIXFS_CHUNK_SIZE } from "@disp/protocol";

import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
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

interface Child {
  readonly cid: CID;
  /** Content bytes below this link, as its parent declares them (at least 1). */
  readonly size: number;
}

interface FileNode {
  /** Content bytes held by this block itself (a raw leaf, or data inlined in a UnixFS node). */
  readonly data: Uint8Array | undefined;
  /** Child blocks in content order, each with the number of content bytes below it. */
  readonly children: readonly Child[];
  /** Content bytes below this block, its own included. */
  readonly size: number;
}

/**
 * The widest node read: the widest layout a manifest may record. An honest node also has at most
 * one link per MIN_UNIXFS_CHUNK_SIZE bytes below it (every leaf but the last is a whole chunk).
 */
export const MAX_LINKS_PER_NODE = MAX_UNIXFS_CHILDREN;

/** More levels than any balanced DAG of a safe-integer size has (2^53 bytes, two links per node). */
const MAX_LEVELS = 64;

/**
 * The most blocks a file of `size` bytes can have: its leaves (whole chunks of at least
 * MIN_UNIXFS_CHUNK_SIZE bytes but the last) and its interior nodes, of which a balanced layout of at
 * least two links per node makes at most as many again plus one per level (a level's last node may
 * hold a single child; fewer than 64 levels reach any safe size). A DAG that makes a reader visit
 * more blocks is lying about its sizes.
 */
export function maxBlocksFor(size: number): number {
  return 2 * Math.max(1, Math.ceil(size / MIN_UNIXFS_CHUNK_SIZE)) + MAX_LEVELS;
}

/** Timers (the read's deadline) and other I/O get a turn at least this often. */
const YIELD_EVERY_BLOCKS = 32;

/**
 * Decodes a verified block as a piece of a UnixFS file, refusing the shapes no importer makes and a
 * hostile DAG needs to make a reader do more work than the bytes it delivers: more links than its
 * size or MAX_LINKS_PER_NODE allow, and children declaring no bytes (or more than a number holds).
 */
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
  if (node.Links.length > MAX_LINKS_PER_NODE) {
    throw new IpfsError(
      "IPFS_INTEGRITY",
      `${cid} has ${node.Links.length} links, more than the ${MAX_LINKS_PER_NODE} a layout may have`,
    );
  }
  const children = node.Links.map((link, i): Child => {
    const size = Number(unixfs.blockSizes[i]);
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new IpfsError("IPFS_INTEGRITY", `${cid}: link ${i} (${link.Hash}) declares ${size} bytes`);
    }
    return { cid: link.Hash, size };
  });
  const size = (unixfs.data?.length ?? 0) + children.reduce((sum, child) => sum + child.size, 0);
  if (!Number.isSafeInteger(size)) {
    throw new IpfsError("IPFS_INTEGRITY", `${cid} declares more bytes than a file can hold`);
  }
  if (children.length > Math.ceil(size / MIN_UNIXFS_CHUNK_SIZE)) {
    throw new IpfsError(
      "IPFS_INTEGRITY",
      `${cid} has ${children.length} links for ${size} bytes: leaves are at least ${MIN_UNIXFS_CHUNK_SIZE} bytes`,
    );
  }
  return { data: unixfs.data, children, size };
}

/**
 * Counts the blocks of one file as they are reached, repeats included: at most maxBlocksFor its
 * size, so a DAG linking a subtree many times makes a reader do no more work than an honest file of
 * the size it declares (which `maxBytes` bounds). Repeats themselves are not refused: identical
 * chunks (a run of zeros) give identical leaves and, once a node's worth line up, identical interior
 * nodes. With `once`, a CID already reached is not visited again (a pin wants the blocks, not the
 * content), and it must declare the same size every time.
 */
class BlockBudget {
  readonly #root: CID;
  readonly #reached: Map<string, number> | undefined;
  #left: number;

  constructor(root: CID, size: number, once: boolean) {
    this.#root = root;
    this.#left = maxBlocksFor(size) - 1;
    this.#reached = once ? new Map([[root.toString(), size]]) : undefined;
  }

  /** Whether `child` is to be visited (false: a repeat, when visiting once). */
  reach(child: Child): boolean {
    if (--this.#left < 0) {
      throw new IpfsError("IPFS_INTEGRITY", `${this.#root} has more blocks than its size allows`);
    }
    if (this.#reached === undefined) return true;
    const key = child.cid.toString();
    const size = this.#reached.get(key);
    if (size === undefined) {
      this.#reached.set(key, child.size);
      return true;
    }
    if (size !== child.size) {
      throw new IpfsError(
        "IPFS_INTEGRITY",
        `${this.#root} declares ${child.cid} as ${size} and ${child.size} bytes`,
      );
    }
    return false;
  }
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
  /** Visit each distinct block once: the sink wants the blocks, not the content. */
  readonly once?: boolean;
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

/** A block still to visit: where its content starts and how many bytes its parent says it holds. */
interface Pending extends Child {
  readonly offset: number;
}

/**
 * Visits every block of the file DAG under `root`, verifying each block and checking the DAG's sizes
 * agree with what it holds. Children wait as plain entries on a stack (depth first, content order)
 * and at most `concurrency` are fetched at once, so a wide or deep DAG costs memory only for what
 * its sizes allow (BlockBudget). The first failure cancels the outstanding fetches.
 */
async function walkFile(root: CID, getBlock: GetBlock, options: WalkOptions, sink: Sink): Promise<void> {
  const failure = new AbortController();
  const signal = AbortSignal.any([options.signal, failure.signal]);
  const guard = options.stallMs === undefined ? undefined : retryStalled(getBlock, options.stallMs);
  const get = guard?.getBlock ?? getBlock;

  const fetchNode = async (cid: CID): Promise<FileNode> => {
    assertReadable(cid);
    const bytes = await get(cid, signal);
    verifyBlock(cid, bytes);
    return decodeFileNode(cid, bytes);
  };
  const stack: Pending[] = [];
  let budget: BlockBudget | undefined;
  /** Delivers the node's own data and puts its children on the stack, the first on top. */
  const expand = (node: FileNode, offset: number): void => {
    if (node.data !== undefined && node.data.length > 0) sink.data(offset, node.data);
    let at = offset + (node.data?.length ?? 0);
    const pending: Pending[] = [];
    for (const child of node.children) {
      if (budget?.reach(child) !== false) pending.push({ ...child, offset: at });
      at += child.size;
    }
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i] as Pending);
  };
  let visited = 0;
  const visit = async (entry: Pending): Promise<void> => {
    signal.throwIfAborted();
    if (++visited % YIELD_EVERY_BLOCKS === 0) await yieldToEventLoop();
    const { leaf } = sink;
    if (leaf !== undefined && entry.cid.code === RAW) {
      if (await leaf(entry.cid, entry.offset, entry.size, signal)) return;
    }
    const node = await fetchNode(entry.cid);
    if (node.size !== entry.size) {
      throw new IpfsError(
        "IPFS_INTEGRITY",
        `${entry.cid} holds ${node.size} bytes, its parent says ${entry.size}`,
      );
    }
    expand(node, entry.offset);
  };

  try {
    const rootNode = await fetchNode(root);
    if (options.maxBytes !== undefined && rootNode.size > options.maxBytes) {
      throw new IpfsError(
        "IPFS_TOO_LARGE",
        `${root} holds ${rootNode.size} bytes, more than ${options.maxBytes}`,
      );
    }
    budget = new BlockBudget(root, rootNode.size, sink.once === true);
    sink.start(rootNode.size);
    expand(rootNode, 0);
    await drain(stack, Math.max(1, options.concurrency), visit);
  } catch (error) {
    failure.abort(error);
    throw error;
  } finally {
    guard?.close();
  }
}

/**
 * Runs `visit` on entries taken from the top of `stack` (which visits may push onto), at most
 * `concurrency` at once, until the stack is empty and no visit runs; rejects with the first failure.
 */
function drain<T>(stack: T[], concurrency: number, visit: (entry: T) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let running = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      while (running < concurrency && stack.length > 0) {
        const entry = stack.pop() as T;
        running++;
        visit(entry).then(
          () => {
            running--;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
      if (running === 0 && stack.length === 0) resolve();
    };
    pump();
  });
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
  await walkFile(root, getBlock, options, { once: true, start: () => undefined, data: () => undefined });
}

/**
 * True when every block of the file under `root` is held locally. `getLocal` must not go to the
 * network and must throw when a block is absent; raw leaves are only checked with `hasLocal`. A DAG
 * shaped to multiply work is refused as a read would refuse it (IPFS_INTEGRITY).
 */
export async function holdsFile(
  root: CID,
  getLocal: (cid: CID) => Promise<Uint8Array>,
  hasLocal: (cid: CID) => Promise<boolean>,
): Promise<boolean> {
  const local = async (cid: CID): Promise<FileNode | undefined> => {
    let bytes: Uint8Array;
    try {
      bytes = await getLocal(cid);
    } catch {
      return undefined;
    }
    return decodeFileNode(cid, bytes);
  };
  assertReadable(root);
  if (root.code === RAW) return hasLocal(root);
  const rootNode = await local(root);
  if (rootNode === undefined) return false;
  const budget = new BlockBudget(root, rootNode.size, true);
  const stack: CID[] = [];
  const expand = (node: FileNode): void => {
    const pending = node.children.filter((child) => budget.reach(child));
    for (let i = pending.length - 1; i >= 0; i--) stack.push((pending[i] as Child).cid);
  };
  expand(rootNode);
  for (let visited = 1; stack.length > 0; visited++) {
    if (visited % YIELD_EVERY_BLOCKS === 0) await yieldToEventLoop();
    const cid = stack.pop() as CID;
    assertReadable(cid);
    if (cid.code === RAW) {
      if (!(await hasLocal(cid))) return false;
      continue;
    }
    const node = await local(cid);
    if (node === undefined) return false;
    expand(node);
  }
  return true;
}
