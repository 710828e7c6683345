import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { DEFAULT_UNIXFS, type UnixFsSettings } from "@disp/protocol";
import { withBitswap } from "@helia/bitswap";
import type { GCOptions, Helia } from "@helia/interface";
import { withLibp2pLight } from "@helia/libp2p";
import { loadOrCreateSelfKey } from "@libp2p/config";
import { identify } from "@libp2p/identify";
import { KEEP_ALIVE, type PeerId, type PrivateKey } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { ClosingFsDatastore } from "./closing-datastore.js";
import { createHelia, createHeliaLight } from "helia";
import type { Libp2p } from "libp2p";
import createMortice, { type Mortice } from "mortice";
import type { CID } from "multiformats/cid";

import { parseMultiaddr } from "./address.js";
import { concatChunks as collect } from "./bytes.js";
import { fetchFile, holdsFile, readFile } from "./dag.js";
import { failed, withDeadline, type ReadOptions } from "./deadline.js";
import { IpfsError, messageOf } from "./errors.js";
import { collectGarbage } from "./gc.js";
import { importFile } from "./import.js";
import type { AddOptions, CatOptions, IpfsNode } from "./node.js";
import { PackBlockstore } from "./pack-blockstore.js";
import { peerKeySignedBytes } from "./peer-key.js";
import { PinRecords } from "./pins.js";

export interface EmbeddedNodeOptions {
  /** Blocks, datastore, pins and the peer key live here and survive restarts. Created if missing. */
  readonly directory: string;
  /** libp2p listen multiaddrs (default: one TCP port on 127.0.0.1 only). */
  readonly listen?: readonly string[];
  /**
   * Join the public IPFS network: Helia's default libp2p services (public bootstrap peers, DHT,
   * mDNS, AutoNAT, UPnP, relays...), delegated routing and trustless HTTP gateways. Off by default:
   * the node then talks only to peers it is told to `connect` to.
   */
  readonly publicNetwork?: boolean;
  /** Time limit of reads, pins and dials given no `timeoutMs` of their own (default 30 s). */
  readonly timeoutMs?: number;
  /** Blocks requested at once by one read or pin (default 64: bitswap fills the pipe better). */
  readonly fetchConcurrency?: number;
}

export const LOOPBACK_LISTEN: readonly string[] = Object.freeze(["/ip4/127.0.0.1/tcp/0"]);
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_FETCH_CONCURRENCY = 64;
/** Blocks written at once by an add (16 to 64 measured alike). */
const BLOCK_WRITE_CONCURRENCY = 32;
/**
 * yamux (8.0) grants the sender more window as soon as data arrives, not when it is read, so a peer
 * can outrun a busy receiver until the stream's read buffer overflows; the stream is then aborted
 * and the bitswap blocks in it are lost (measured: 4.98 MB against the 4 MiB default while this
 * node was adding a 64 MiB file). The buffer holds what a read may have in flight (64 blocks of up
 * to 512 KiB); `retryStalled` covers the rest.
 */
const STREAM_READ_BUFFER = 32 * 1024 * 1024;
/** A read re-requests its pending blocks when none arrived for this long (see `retryStalled`). */
const STALL_MS = 3_000;

type HeliaNode = Helia & { libp2p: Libp2p };

/** Starts a Helia node whose state persists in `options.directory`. */
export async function createEmbeddedNode(options: EmbeddedNodeOptions): Promise<IpfsNode> {
  const listen = [...(options.listen ?? LOOPBACK_LISTEN)];
  await mkdir(options.directory, { recursive: true });
  const blockstore = new PackBlockstore(join(options.directory, "blocks"));
  const datastore = new ClosingFsDatastore(join(options.directory, "datastore"));
  await blockstore.open();
  try {
    await datastore.open();
  } catch (error) {
    await blockstore.close();
    throw new IpfsError("IPFS_FAILED", `could not open the node's datastore: ${messageOf(error)}`, {
      cause: error,
    });
  }

  let helia: HeliaNode;
  let privateKey: PrivateKey;
  try {
    // Loaded here as Helia would (the keychain's "self" key in the datastore), so the node can sign.
    privateKey = await loadOrCreateSelfKey(datastore);
    helia =
      options.publicNetwork === true
        ? publicHelia(blockstore, datastore, listen, privateKey)
        : offlineHelia(blockstore, datastore, listen, privateKey);
    await helia.start();
  } catch (error) {
    await Promise.allSettled([blockstore.close(), datastore.close()]);
    throw new IpfsError("IPFS_FAILED", `could not start the embedded node: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return new EmbeddedNode(helia, blockstore, datastore, privateKey, options);
}

const LOOPBACK_NETS = ["/ip4/127.0.0.0/ipcidr/8", "/ip6/::1/ipcidr/128"];

/** Loopback-only by default: TCP, noise, yamux, identify, bitswap; no discovery, no routing. */
function offlineHelia(
  blockstore: PackBlockstore,
  datastore: ClosingFsDatastore,
  listen: string[],
  privateKey: PrivateKey,
): HeliaNode {
  // No cross-process GC lock: one process owns a node's directory (blocks/LOCK), and the node
  // serialises its own garbage collection with its writes (see `EmbeddedNode.#collectGarbage`).
  const light = createHeliaLight({ blockstore, datastore, holdGcLock: false });
  const withNet = withLibp2pLight(light, {
    privateKey,
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ streamOptions: { maxReadBufferLength: STREAM_READ_BUFFER } })],
    peerDiscovery: [],
    services: { identify: identify() },
    // A node busy with local work (hashing a large add on a loaded machine) can miss a ping; that
    // must not cost it the connections its reads depend on.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    // libp2p resets inbound connections past 5 per second from one host. On a loopback network
    // every peer is that one host (agents, readers and verify's one-peer probes dial at once), and
    // a local process is no flood to defend against: loopback peers skip the limit.
    connectionManager: { allow: LOOPBACK_NETS },
  });
  return withBitswap(withNet);
}

function publicHelia(
  blockstore: PackBlockstore,
  datastore: ClosingFsDatastore,
  listen: string[],
  privateKey: PrivateKey,
): HeliaNode {
  return createHelia({ blockstore, datastore, libp2p: { privateKey, addresses: { listen } } });
}

class EmbeddedNode implements IpfsNode {
  readonly peerId: string;
  readonly #helia: HeliaNode;
  readonly #blockstore: PackBlockstore;
  readonly #stores: { close(): Promise<void> }[];
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #pins: PinRecords;
  readonly #privateKey: PrivateKey;
  /** Writes that a pin record will cover (add, pin) and reads hold it shared; a collection, alone. */
  readonly #gcLock: Mortice;
  #stopped: Promise<void> | undefined;

  constructor(
    helia: HeliaNode,
    blockstore: PackBlockstore,
    datastore: ClosingFsDatastore,
    privateKey: PrivateKey,
    options: EmbeddedNodeOptions,
  ) {
    this.#helia = helia;
    this.#privateKey = privateKey;
    this.#blockstore = blockstore;
    this.#stores = [blockstore, datastore];
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#concurrency = options.fetchConcurrency ?? DEFAULT_FETCH_CONCURRENCY;
    this.peerId = helia.libp2p.peerId.toString();
    this.#pins = new PinRecords(helia.datastore);
    this.#gcLock = createMortice({ name: `disp-gc-${randomUUID()}`, singleProcess: true });
    // Helia's own gc() keeps only blocks its per-block pin records name: none of ours.
    helia.gc = async (gcOptions) => this.#collectGarbage(gcOptions);
  }

  async add(
    bytes: Uint8Array,
    settings: UnixFsSettings = DEFAULT_UNIXFS,
    options: AddOptions = {},
  ): Promise<CID> {
    const helia = this.#live();
    let root: CID;
    try {
      options.signal?.throwIfAborted();
      root = await this.#outsideGc(options.signal, async () => {
        const imported = await importFile(bytes, helia.blockstore, settings, BLOCK_WRITE_CONCURRENCY);
        if (options.pin ?? true) await this.#pins.add(imported);
        return imported;
      });
    } catch (error) {
      if (options.signal?.aborted === true) throw new IpfsError("IPFS_ABORTED", "add: aborted by the caller");
      throw classifyHelia("add")(error);
    }
    return root;
  }

  /**
   * A file held here whole is read from the block store with each raw leaf read straight into the
   * result and verified there, instead of read into a buffer of its own and copied (measured on a
   * 64 MiB file: 346–454 ms against 437–721). Otherwise blocks are fetched as they are walked:
   * fetching a whole file first and then reading it from the store is no faster over bitswap.
   */
  async cat(cid: CID, options: CatOptions = {}): Promise<Uint8Array> {
    const getBlock = this.#getBlock();
    const blockstore = this.#blockstore;
    return withDeadline(`cat ${cid}`, options, this.#timeoutMs, classifyHelia(`cat ${cid}`), async (signal) =>
      this.#outsideGc(signal, async () => {
        const held = await this.has(cid);
        return readFile(cid, getBlock, {
          signal,
          concurrency: this.#concurrency,
          maxBytes: options.maxBytes,
          stallMs: STALL_MS,
          readInto: held ? (block, target) => blockstore.readInto(block, target) : undefined,
        });
      }),
    );
  }

  async pin(cid: CID, options: ReadOptions = {}): Promise<void> {
    const getBlock = this.#getBlock();
    if (await this.#pins.has(cid)) return;
    await withDeadline(`pin ${cid}`, options, this.#timeoutMs, classifyHelia(`pin ${cid}`), async (signal) =>
      this.#outsideGc(signal, async () => {
        // Every block is fetched (from peers if need be) and verified before the pin is recorded.
        await fetchFile(cid, getBlock, { signal, concurrency: this.#concurrency, stallMs: STALL_MS });
        await this.#pins.add(cid);
      }),
    );
  }

  async unpin(cid: CID): Promise<void> {
    this.#live();
    if (!(await this.#pins.remove(cid))) throw new IpfsError("IPFS_NOT_FOUND", `unpin: ${cid} is not pinned`);
  }

  async pins(): Promise<CID[]> {
    this.#live();
    return this.#pins.list();
  }

  async isPinned(cid: CID): Promise<boolean> {
    this.#live();
    return this.#pins.has(cid);
  }

  async has(cid: CID): Promise<boolean> {
    const helia = this.#live();
    return holdsFile(
      cid,
      (block) => collect(helia.blockstore.get(block, { offline: true })),
      async (block) => helia.blockstore.has(block),
    );
  }

  async addresses(): Promise<string[]> {
    return this.#live()
      .libp2p.getMultiaddrs()
      .map((address) => address.toString());
  }

  async peers(): Promise<string[]> {
    return this.#live()
      .libp2p.getPeers()
      .map((peer) => peer.toString());
  }

  /**
   * Dials the address without its `/p2p/` part and compares the peer that answered (authenticated
   * by the noise handshake) with the one named: libp2p merges concurrent dials to one peer id into
   * one job that tries their addresses one after another (6 s each), which would undo a caller's
   * parallel dial of a node's addresses.
   */
  async connect(address: string, options: ReadOptions = {}): Promise<void> {
    const helia = this.#live();
    const target = parseMultiaddr(address);
    const expected = target.getComponents().findLast((component) => component.name === "p2p")?.value;
    if (expected === undefined) {
      throw new IpfsError("IPFS_INVALID_INPUT", `connect ${address}: the address names no /p2p/ peer id`);
    }
    const what = `connect ${address}`;
    const unreachable = (error: unknown): IpfsError =>
      new IpfsError("IPFS_UNREACHABLE", `${what}: ${messageOf(error)}`, { cause: error });
    const peer = peerOf(expected, address);
    // Keep-alive peers are redialled when the connection drops and when this node restarts.
    const keepAlive = { tags: { [KEEP_ALIVE]: { value: 1 } } };
    if (helia.libp2p.getConnections(peer).length > 0) {
      await helia.libp2p.peerStore.merge(peer, keepAlive);
      return;
    }
    await withDeadline(what, options, this.#timeoutMs, unreachable, async (signal) => {
      const connection = await helia.libp2p.dial(parseMultiaddr(withoutPeer(address)), { signal });
      if (connection.remotePeer.toString() !== expected) {
        await connection.close().catch(() => undefined);
        throw new IpfsError("IPFS_UNREACHABLE", `${what}: the peer there is ${connection.remotePeer}`);
      }
      await helia.libp2p.peerStore.merge(connection.remotePeer, keepAlive);
    });
  }

  async signWithPeerKey(data: Uint8Array): Promise<Uint8Array> {
    this.#live();
    return this.#privateKey.sign(peerKeySignedBytes(data));
  }

  async stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.#helia.stop();
      await Promise.all(this.#stores.map((store) => store.close()));
      this.#gcLock.finalize();
    })();
    await this.#stopped;
  }

  /** Runs `work` with no garbage collection under way, so what it writes or reads stays. */
  async #outsideGc<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const release = await this.#gcLock.readLock({ signal });
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * What Helia's `gc()` runs on this node: with no add, pin or cat under way, deletes every block
   * not reachable from a pinned root (ours, or one pinned through Helia's own `pins`).
   */
  async #collectGarbage(options: GCOptions = {}): Promise<void> {
    const helia = this.#live();
    const release = await this.#gcLock.writeLock({ signal: options.signal });
    try {
      await collectGarbage(this.#blockstore, await this.#pins.list(), {
        signal: options.signal,
        keep: async (cid) => helia.pins.isPinned(cid, { signal: options.signal }),
      });
    } finally {
      release();
    }
  }

  /** Reads a block through Helia: from the block store, or from connected peers over bitswap. */
  #getBlock(): (block: CID, signal: AbortSignal) => Promise<Uint8Array> {
    const helia = this.#live();
    return (block, signal) => collect(helia.blockstore.get(block, { signal }));
  }

  static heliaOf(node: IpfsNode): Helia | undefined {
    return #helia in node ? node.#helia : undefined;
  }

  #live(): HeliaNode {
    if (this.#stopped !== undefined) throw new IpfsError("IPFS_STOPPED", `node ${this.peerId} is stopped`);
    return this.#helia;
  }
}

function peerOf(peerId: string, address: string): PeerId {
  try {
    return peerIdFromString(peerId);
  } catch (error) {
    throw new IpfsError("IPFS_INVALID_INPUT", `connect ${address}: not a peer id: ${peerId}`, {
      cause: error,
    });
  }
}

/**
 * `address` without its trailing `/p2p/<peer id>` (the transport address to dial); a relayed
 * address is kept whole, since without its target it names the relay.
 */
function withoutPeer(address: string): string {
  const at = address.lastIndexOf("/p2p/");
  return at < 0 || address.includes("/p2p-circuit") ? address : address.slice(0, at);
}

/** The Helia instance behind an embedded node, or undefined for any other node (tests reach its gc). */
export function heliaOf(node: IpfsNode): Helia | undefined {
  return EmbeddedNode.heliaOf(node);
}

function classifyHelia(what: string): (error: unknown) => IpfsError {
  const otherwise = failed(what);
  return (error) => {
    const name = error instanceof Error ? error.name : "";
    if (name === "BlockNotFoundWhileOfflineError" || name === "NotFoundError") {
      return new IpfsError("IPFS_NOT_FOUND", `${what}: ${messageOf(error)}`, { cause: error });
    }
    return otherwise(error);
  };
}
