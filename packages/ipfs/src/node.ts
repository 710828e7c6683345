import type { UnixFsSettings } from "@disp/protocol";
import type { CID } from "multiformats/cid";

import type { ReadOptions } from "./deadline.js";

/** Fetches one block's bytes (from the local store, or from peers). */
export type GetBlock = (cid: CID, signal: AbortSignal) => Promise<Uint8Array>;

export interface AddOptions {
  /** Keep the content pinned on this node (default true, as `ipfs add` does). */
  readonly pin?: boolean;
  readonly signal?: AbortSignal;
}

export interface CatOptions extends ReadOptions {
  /** Fail with `IPFS_TOO_LARGE` instead of reading content larger than this many bytes. */
  readonly maxBytes?: number;
}

/**
 * An IPFS node as DISP uses it. Two implementations: an embedded Helia node
 * (`createEmbeddedNode`) and a Kubo daemon over its RPC API (`createKuboNode`). Both give the same
 * CIDs as `computeCid()` from `@disp/core` for the same bytes and settings.
 *
 * Every failure is an `IpfsError` with a stable `code`. Reads re-hash every block against its CID,
 * so they return the exact bytes the CID names or fail with `IPFS_INTEGRITY`; a read that may go to
 * the network always ends, with `IPFS_TIMEOUT` at the latest.
 */
export interface IpfsNode {
  /** The node's libp2p peer id (base58btc, e.g. `12D3KooW...`); stable across restarts. */
  readonly peerId: string;

  /** Imports `bytes` as a UnixFS file with `settings` (default `DEFAULT_UNIXFS`) and returns its CID. */
  add(bytes: Uint8Array, settings?: UnixFsSettings, options?: AddOptions): Promise<CID>;

  /** The file's bytes, fetched from connected peers if this node lacks them, verified block by block. */
  cat(cid: CID, options?: CatOptions): Promise<Uint8Array>;

  /**
   * Fetches every block of the file (verified, from connected peers if needed) and pins it, so the
   * node keeps it. Pinning what is already pinned is a no-op.
   */
  pin(cid: CID, options?: ReadOptions): Promise<void>;

  /** Removes the recursive pin on `cid`; `IPFS_NOT_FOUND` if there is none. */
  unpin(cid: CID): Promise<void>;

  /** The CIDs pinned recursively on this node. */
  pins(): Promise<CID[]>;

  /** True when `cid` is pinned recursively on this node: one question, however many pins it has. */
  isPinned(cid: CID): Promise<boolean>;

  /** True when this node holds every block of the file locally (never goes to the network). */
  has(cid: CID): Promise<boolean>;

  /** Multiaddrs other nodes can dial, each ending in `/p2p/<peerId>`. */
  addresses(): Promise<string[]>;

  /** Peer ids of the nodes currently connected to this one. */
  peers(): Promise<string[]>;

  /**
   * Opens a connection to the peer at `multiaddr` (which must name its `/p2p/` peer id); fails
   * with `IPFS_UNREACHABLE` when the peer that answers is not that one.
   */
  connect(multiaddr: string, options?: ReadOptions): Promise<void>;

  /**
   * Signs `"libp2p-key signed message:" || data` with this node's libp2p key (what Kubo's
   * `key/sign` signs), proving that the node holds the key of its `peerId`. Anyone checks it with
   * `verifyPeerSignature(peerId, data, signature)`.
   */
  signWithPeerKey(data: Uint8Array): Promise<Uint8Array>;

  /** Stops the node (an embedded node closes its stores; a Kubo daemon keeps running). Idempotent. */
  stop(): Promise<void>;
}
