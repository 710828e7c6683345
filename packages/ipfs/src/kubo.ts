import { DEFAULT_UNIXFS, type UnixFsSettings } from "@disp/protocol";
import { create, type HTTPRPCOptions, type KuboRPCClient } from "kubo-rpc-client";
import { base64url } from "multiformats/bases/base64";
import { CID } from "multiformats/cid";

import { parseMultiaddr } from "./address.js";
import { fetchFile, holdsFile, readFile } from "./dag.js";
import { failed, withDeadline, type ReadOptions } from "./deadline.js";
import { IpfsError, messageOf } from "./errors.js";
import type { AddOptions, CatOptions, IpfsNode } from "./node.js";

/** The part of kubo-rpc-client this node uses (tests may hand in any real implementation of it). */
export interface KuboClient {
  readonly add: KuboRPCClient["add"];
  readonly id: KuboRPCClient["id"];
  readonly block: Pick<KuboRPCClient["block"], "get" | "stat">;
  readonly pin: Pick<KuboRPCClient["pin"], "add" | "rm" | "ls">;
  readonly swarm: Pick<KuboRPCClient["swarm"], "connect" | "peers" | "localAddrs">;
  /** Where the RPC API is: kubo-rpc-client has no `key/sign`, which this node calls itself. */
  readonly getEndpointConfig: KuboRPCClient["getEndpointConfig"];
}

export interface KuboNodeOptions {
  /** The Kubo RPC API, e.g. `http://127.0.0.1:5001` (ignored when `client` is given). */
  readonly url?: string | URL;
  readonly client?: KuboClient;
  /** Time limit of reads, pins and dials given no `timeoutMs` of their own (default 30 s). */
  readonly timeoutMs?: number;
  /** Blocks requested at once by one read (default 32). */
  readonly fetchConcurrency?: number;
  /**
   * How long `has` waits for one local block lookup (default 2 s). Kubo answers `offline` lookups
   * at once; servers that ignore `offline` would otherwise search the network.
   */
  readonly localTimeoutMs?: number;
}

/** Kubo fixes the links per UnixFS node at 174 (its `Import.UnixFSFileMaxLinks` is node-wide config). */
export const KUBO_MAX_CHILDREN_PER_NODE = 174;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_FETCH_CONCURRENCY = 32;
const DEFAULT_LOCAL_TIMEOUT_MS = 2_000;

/** A node backed by a running Kubo daemon; checks the API answers and learns the peer id. */
export async function createKuboNode(options: KuboNodeOptions): Promise<IpfsNode> {
  let client = options.client;
  if (client === undefined) {
    if (options.url === undefined)
      throw new IpfsError("IPFS_INVALID_INPUT", "createKuboNode needs a url or a client");
    client = create({ url: options.url });
  }
  const where = String(options.url ?? "the Kubo client");
  const id = await withDeadline(
    `id of ${where}`,
    {},
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    classifyKubo(`id of ${where}`),
    (signal) => client.id({ signal }),
  );
  return new KuboNode(client, id.id.toString(), options);
}

class KuboNode implements IpfsNode {
  readonly peerId: string;
  readonly #client: KuboClient;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #localOnly: HTTPRPCOptions & { readonly offline: true };
  #stopped = false;

  constructor(client: KuboClient, peerId: string, options: KuboNodeOptions) {
    this.#client = client;
    this.peerId = peerId;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#concurrency = options.fetchConcurrency ?? DEFAULT_FETCH_CONCURRENCY;
    this.#localOnly = { offline: true, timeout: options.localTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS };
  }

  async add(
    bytes: Uint8Array,
    settings: UnixFsSettings = DEFAULT_UNIXFS,
    options: AddOptions = {},
  ): Promise<CID> {
    const client = this.#live();
    if (settings.maxChildrenPerNode !== KUBO_MAX_CHILDREN_PER_NODE) {
      throw new IpfsError(
        "IPFS_UNSUPPORTED",
        `Kubo adds with ${KUBO_MAX_CHILDREN_PER_NODE} links per node, not ${settings.maxChildrenPerNode}`,
      );
    }
    try {
      const result = await client.add(bytes, {
        cidVersion: settings.cidVersion,
        rawLeaves: settings.rawLeaves,
        chunker: `size-${settings.chunkSize}`,
        hashAlg: "sha2-256",
        trickle: false,
        wrapWithDirectory: false,
        pin: options.pin ?? true,
        signal: options.signal,
      });
      return toCid(result.cid);
    } catch (error) {
      if (options.signal?.aborted === true) throw new IpfsError("IPFS_ABORTED", "add: aborted by the caller");
      throw classifyKubo("add")(error);
    }
  }

  async cat(cid: CID, options: CatOptions = {}): Promise<Uint8Array> {
    const client = this.#live();
    return withDeadline(`cat ${cid}`, options, this.#timeoutMs, classifyKubo(`cat ${cid}`), (signal) =>
      readFile(cid, (block, s) => client.block.get(block, { signal: s }), {
        signal,
        concurrency: this.#concurrency,
        maxBytes: options.maxBytes,
      }),
    );
  }

  async pin(cid: CID, options: ReadOptions = {}): Promise<void> {
    const client = this.#live();
    await withDeadline(`pin ${cid}`, options, this.#timeoutMs, classifyKubo(`pin ${cid}`), async (signal) => {
      // Kubo does not re-hash blocks it already stores: verify them all, then pin.
      await fetchFile(cid, (block, s) => client.block.get(block, { signal: s }), {
        signal,
        concurrency: this.#concurrency,
      });
      await client.pin.add(cid, { recursive: true, signal });
    });
  }

  async unpin(cid: CID): Promise<void> {
    const client = this.#live();
    try {
      await client.pin.rm(cid, { recursive: true });
    } catch (error) {
      throw classifyKubo(`unpin ${cid}`)(error);
    }
  }

  async pins(): Promise<CID[]> {
    const client = this.#live();
    const cids: CID[] = [];
    try {
      for await (const pin of client.pin.ls({ type: "recursive" })) cids.push(toCid(pin.cid));
    } catch (error) {
      throw classifyKubo("pins")(error);
    }
    return cids;
  }

  async isPinned(cid: CID): Promise<boolean> {
    const client = this.#live();
    try {
      for await (const pin of client.pin.ls({ paths: [cid], type: "recursive" })) void pin;
      return true; // Kubo answers for the paths it was given, or fails: "... is not pinned"
    } catch (error) {
      const reason = classifyKubo(`isPinned ${cid}`)(error);
      if (reason.code === "IPFS_NOT_FOUND") return false;
      throw reason;
    }
  }

  async has(cid: CID): Promise<boolean> {
    const client = this.#live();
    const absent = (error: unknown): false => {
      const code = classifyKubo(`has ${cid}`)(error);
      if (code.code === "IPFS_NOT_FOUND" || code.code === "IPFS_TIMEOUT") return false;
      throw code;
    };
    return holdsFile(
      cid,
      (block) => client.block.get(block, this.#localOnly),
      (block) => client.block.stat(block, this.#localOnly).then(() => true, absent),
    );
  }

  async addresses(): Promise<string[]> {
    const client = this.#live();
    const classify = classifyKubo("addresses");
    const id = await client.id().catch((error: unknown) => Promise.reject(classify(error)));
    // Kubo lists the addresses it announces in `id`; a server listing none there (js-ipfs does
    // not) is asked for the addresses it listens on.
    const addresses =
      id.addresses.length > 0
        ? id.addresses
        : await client.swarm.localAddrs().catch((error: unknown) => Promise.reject(classify(error)));
    const suffix = `/p2p/${this.peerId}`;
    return addresses.map((address) => {
      const text = address.toString();
      return text.endsWith(suffix) ? text : `${text}${suffix}`;
    });
  }

  async peers(): Promise<string[]> {
    const client = this.#live();
    const peers = await client.swarm
      .peers()
      .catch((error: unknown) => Promise.reject(classifyKubo("peers")(error)));
    return peers.map((peer) => peer.peer.toString());
  }

  async connect(address: string, options: ReadOptions = {}): Promise<void> {
    const client = this.#live();
    const target = parseMultiaddr(address);
    const what = `connect ${address}`;
    const unreachable = (error: unknown): IpfsError =>
      new IpfsError("IPFS_UNREACHABLE", `${what}: ${messageOf(error)}`, { cause: error });
    await withDeadline(what, options, this.#timeoutMs, unreachable, (signal) =>
      client.swarm.connect(target, { signal }),
    );
  }

  /**
   * Kubo's `key/sign` (Kubo 0.25 and later): it signs with the node's "self" key over
   * `"libp2p-key signed message:" || data` and answers with a multibase base64url signature.
   */
  async signWithPeerKey(data: Uint8Array): Promise<Uint8Array> {
    const client = this.#live();
    const what = "key/sign";
    const { protocol, host, port, pathname } = client.getEndpointConfig();
    const url = `${protocol}//${host}${port === "" ? "" : `:${port}`}${pathname.replace(/\/$/, "")}/key/sign?key=self`;
    const body = new FormData();
    body.append("file", new Blob([new Uint8Array(data)]), "data");
    return withDeadline(what, {}, this.#timeoutMs, classifyKubo(what), async (signal) => {
      const response = await fetch(url, { method: "POST", body, signal });
      const text = await response.text();
      if (!response.ok) {
        throw new IpfsError(
          "IPFS_UNSUPPORTED",
          `${what}: the Kubo RPC API answered ${response.status}: ${text}`,
        );
      }
      const signature = (JSON.parse(text) as { Signature?: unknown }).Signature;
      if (typeof signature !== "string")
        throw new IpfsError("IPFS_FAILED", `${what}: no signature in ${text}`);
      return base64url.decode(signature);
    });
  }

  async stop(): Promise<void> {
    // The daemon is not ours to stop; this handle just stops working.
    this.#stopped = true;
  }

  #live(): KuboClient {
    if (this.#stopped) throw new IpfsError("IPFS_STOPPED", `node ${this.peerId} is stopped`);
    return this.#client;
  }
}

/** kubo-rpc-client returns its own CID instances; hand out ours. */
function toCid(cid: { toString(): string }): CID {
  return CID.parse(cid.toString());
}

const NOT_FOUND = /not pinned|not found locally|could not find|block was not found/i;
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EPIPE",
]);

function classifyKubo(what: string): (error: unknown) => IpfsError {
  const otherwise = failed(what);
  return (error) => {
    const message = `${what}: ${messageOf(error)}`;
    if (error instanceof Error && error.name === "TimeoutError") {
      return new IpfsError("IPFS_TIMEOUT", message, { cause: error });
    }
    if (networkCode(error) !== undefined) {
      return new IpfsError("IPFS_UNREACHABLE", `${message} (${networkCode(error)})`, { cause: error });
    }
    if (error instanceof Error && error.name === "HTTPError" && NOT_FOUND.test(error.message)) {
      return new IpfsError("IPFS_NOT_FOUND", message, { cause: error });
    }
    return otherwise(error);
  };
}

/** The socket error code behind a failed fetch, if any (`fetch failed` hides it in `cause`). */
function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if ("code" in e && typeof e.code === "string" && UNREACHABLE.has(e.code)) return e.code;
  }
  return undefined;
}
