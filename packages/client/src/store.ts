import type { Kernel, UnixFsSettings } from "@disp/protocol";
import {
  addParity,
  codecNamed,
  encodeImageFile,
  type CodecChoice,
  type CodecName,
  type EncodedImage,
  type ProtectedImage,
} from "@disp/core";
import type { CID } from "@disp/ipfs";
import { hexlify } from "ethers";

import { awaitStorage } from "./confirmations.js";
import { accountOf, settingsOf, type ClientContext } from "./context.js";
import { ClientError, isClientError } from "./errors.js";
import { checkManifestShape, rootOf } from "./manifest-check.js";
import { shardShapeFor } from "./placement.js";
import { keysForNewImage, newContentKeyFor } from "./private-keys.js";
import { publish, unpinAll } from "./publish.js";
import type { OnClientProgress } from "./progress.js";
import { imageIdHex, imageIdOf } from "./image-id.js";
import type { Registered } from "./registry/index.js";
import { sealImage, visibilityOf, type Visibility } from "./sealed.js";

/** How the parts of an image are kept. */
export type StoreTarget =
  /** DISP: fragment i goes to slot i of the community. */
  | { readonly mode: "disp"; readonly communityId: bigint }
  /** Classic full replication: each of `nodes` keeps the whole file (the opt-out of the protocol). */
  | { readonly mode: "replicate"; readonly nodes: readonly string[] };

export interface EncodeOptions {
  /**
   * Kernel for DISP. With `parity`, each names the other: k + m is the community's size; with
   * neither, a 2×2 kernel and the other members keep parity (4 + 2 on a community of 6). An
   * update keeps the latest version's shape unless told otherwise.
   */
  readonly kernel?: Kernel;
  /** Reed–Solomon parity shards for DISP, each kept by its own member (any m may be lost). */
  readonly parity?: number;
  /**
   * "private" (the default for a new image; an update keeps the latest version's): fragments
   * encrypted on the client under a fresh content key wrapped for the key holders, the codec's
   * manifest sealed (docs/encryption.md). "public": viewable fragments every node can see.
   */
  readonly visibility?: Visibility;
  /** Fragment codec for DISP (default "auto": JPEG-native for JPEGs it can take, else PNG). */
  readonly codec?: CodecChoice;
  readonly unixfs?: UnixFsSettings;
  readonly maxPixels?: number;
  /** Longest wait for every node to confirm storage (default 120 s). */
  readonly timeoutMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

/** What was stored: everything a later reader needs is also on chain or in the manifest. */
export interface StoreResult {
  readonly imageId: bigint;
  readonly version: bigint;
  readonly mode: "disp" | "replicate";
  readonly visibility: Visibility;
  readonly codec: CodecName;
  /** What a retrieve with every shard at hand gives back: the file byte for byte, or its content. */
  readonly fidelity: EncodedImage["fidelity"];
  /** Why "auto" fell back from the JPEG-native codec, if it did. */
  readonly fallback?: { readonly code: string; readonly reason: string };
  readonly communityId: bigint;
  readonly root: string;
  /** The content hash of the file (for a private version: the one sealed in its manifest). */
  readonly contentHash: string;
  readonly manifestCid: string;
  /** "k+m" for DISP (e.g. "4+2"; "4+0" without parity), null when replicated. */
  readonly parity: string | null;
  /** By slot: the fragment, parity shard (slot k + p) or, replicated, the whole file, and its node. */
  readonly parts: readonly {
    readonly index: number;
    readonly cid: string;
    readonly size: number;
    readonly node: string;
  }[];
  readonly sourceBytes: number;
  /** Bytes of the manifest (every storage node pins it too). */
  readonly manifestBytes: number;
  /** Bytes pinned across the storage nodes: every part, plus the manifest on each node. */
  readonly storedBytes: number;
  readonly transactionHash: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Stores a new image: encode (decode → split → fragments, or the whole file when replicating) → add
 * every part and the manifest to the user's own IPFS node, checking each CID against the offline one
 * → one registration transaction → wait until every slot's node confirms it keeps its part.
 * Private (the default): the fragments are encrypted before parity, and the content key wrapped
 * for the owner is published in the registering transaction. Nothing is registered when a step
 * before the transaction fails, and what was added is unpinned.
 */
export async function storeImage(
  context: ClientContext,
  bytes: Uint8Array,
  target: StoreTarget,
  given: EncodeOptions = {},
): Promise<StoreResult> {
  const { registry } = context;
  const options = withDefaults(context, given);
  const nodes =
    target.mode === "disp"
      ? await registry.communityMembers(target.communityId)
      : await checkReplicaNodes(context, target.nodes);
  const contentKey = await newContentKeyFor(options.visibility ?? "private");
  const encoded = await encodeFor(bytes, target.mode, nodes.length, options, contentKey);
  const communityId = target.mode === "disp" ? target.communityId : 0n;
  const fragmentCount = target.mode === "disp" ? nodes.length : 1;
  // What every reader and agent will check: never register a version they would refuse.
  checkManifestShape(encoded.manifest, { communityId, fragmentCount, slots: nodes.length }, "the new image");
  const root = rootOf(encoded.manifest, encoded.manifestBytes);
  await refuseExisting(context, root);
  const keys = contentKey === undefined ? [] : await keysForNewImage(context, root, contentKey);
  const committed = await commit(context, encoded, root, nodes, options, (cid) =>
    target.mode === "disp"
      ? registry.registerImage(target.communityId, nodes.length, root, cid, keys)
      : registry.registerReplicatedImage(nodes, root, cid, keys),
  );
  return result(encoded, target.mode, communityId, nodes, committed);
}

/** The call's options, with the context's timeout, progress and signal where it gives none. */
export function withDefaults(context: ClientContext, options: EncodeOptions): EncodeOptions {
  return { ...options, ...settingsOf(context, options, DEFAULT_TIMEOUT_MS) };
}

/**
 * Refuses, before anything is uploaded, to store what the signer already stored: an image's id
 * derives from its registrant and version 1's root, so the same content stored the same way again
 * would be the same image.
 */
async function refuseExisting(context: ClientContext, root: string): Promise<void> {
  const account = await accountOf(context);
  if (account === undefined) return; // a read-only client fails later, at the transaction
  const imageId = imageIdOf(account, root);
  const exists = await context.registry.imageInfo(imageId).then(
    () => true,
    (error: unknown) => {
      if (isClientError(error, "CLIENT_UNKNOWN_IMAGE")) return false;
      throw error;
    },
  );
  if (exists) {
    throw new ClientError(
      "CLIENT_IMAGE_EXISTS",
      `${account} already stored this image, with the same codec and kernel, as image ${imageIdHex(imageId)}`,
    );
  }
}

/** A version on chain, as the registering transaction left it. */
export interface Committed {
  readonly imageId: bigint;
  readonly version: bigint;
  readonly root: string;
  readonly manifestCid: CID;
  readonly transactionHash: string;
}

/**
 * The shared tail of store and update: publish the parts, send the one registering transaction
 * (nothing stays pinned if it fails), then wait until every slot's node has confirmed storage.
 */
export async function commit(
  context: ClientContext,
  encoded: ProtectedImage,
  root: string,
  nodes: readonly string[],
  options: EncodeOptions,
  send: (manifestCid: string) => Promise<Registered>,
): Promise<Committed> {
  const { registry } = context;
  const cids = await publish(context, encoded, nodes, options);
  options.onProgress?.({ phase: "register", done: 0, total: 1 });
  const registered = await send(hexlify(cids.manifest.bytes)).catch(async (error: unknown) => {
    // Refused by the registry: nothing is registered, so nothing needs to stay. Any other failure
    // (a lost connection, a wait that timed out) may hide a registration: keep the parts then.
    if (isClientError(error)) await unpinAll(context, cids.added);
    throw error;
  });
  options.onProgress?.({ phase: "register", done: 1, total: 1 });
  const { imageId, version } = registered;
  await awaitStorage(registry, imageId, version, nodes, {
    fromBlock: registered.blockNumber,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  return { imageId, version, root, manifestCid: cids.manifest, transactionHash: registered.transactionHash };
}

/**
 * The version's shards: for a community, the codec's k fragments and m parity shards over them
 * (k + m = its size, one shard per member); replicated, the whole file. With a content key, each
 * fragment (the whole file: one) is encrypted first, and parity is over the ciphertexts.
 */
export async function encodeFor(
  bytes: Uint8Array,
  mode: "disp" | "replicate",
  slots: number,
  options: EncodeOptions,
  contentKey: Uint8Array | undefined,
): Promise<ProtectedImage> {
  const sealed = (encoded: EncodedImage) =>
    contentKey === undefined ? encoded : sealImage(encoded, contentKey);
  if (mode === "replicate") {
    if (options.parity !== undefined && options.parity !== 0) {
      throw new ClientError(
        "CLIENT_INVALID_INPUT",
        "--parity is for a community (--mode disp): each replica keeps the whole file",
      );
    }
    const whole = await encodeImageFile(bytes, {
      ...common(options),
      kernel: { height: 1, width: 1 },
      codec: "file",
    });
    return { ...(await sealed(whole)), parityShards: [] };
  }
  const { kernel, parity } = shardShapeFor(slots, options);
  const choice = options.codec ?? "auto";
  if (choice !== "auto" && !codecNamed(choice).pools) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `the "${choice}" codec is for replication (--mode replicate), not for a community`,
    );
  }
  const encoded = await encodeImageFile(bytes, { ...common(options), kernel, codec: choice });
  return addParity(await sealed(encoded), parity, { onProgress: options.onProgress, signal: options.signal });
}

function common(options: EncodeOptions) {
  return {
    unixfs: options.unixfs,
    maxPixels: options.maxPixels,
    onProgress: options.onProgress,
    signal: options.signal,
  };
}

/** Replica nodes must be distinct opted-in nodes; checked here so nothing is uploaded in vain. */
async function checkReplicaNodes(context: ClientContext, nodes: readonly string[]): Promise<string[]> {
  const { registry } = context;
  const max = await registry.maxReplicas();
  if (nodes.length < 1 || nodes.length > max) {
    throw new ClientError("CLIENT_INVALID_INPUT", `replication needs 1 to ${max} nodes, got ${nodes.length}`);
  }
  if (new Set(nodes.map((node) => node.toLowerCase())).size !== nodes.length) {
    throw new ClientError("CLIENT_INVALID_INPUT", "replica nodes must be distinct");
  }
  for (const node of nodes) {
    if ((await registry.nodeInfo(node)).status === "none") {
      throw new ClientError("CLIENT_NOT_A_NODE", `${node} is not an opted-in storage node`);
    }
  }
  return [...nodes];
}

export function result(
  encoded: ProtectedImage,
  mode: "disp" | "replicate",
  communityId: bigint,
  nodes: readonly string[],
  committed: Committed,
): StoreResult {
  const parts =
    mode === "disp"
      ? [...encoded.fragments, ...encoded.parityShards].map((shard, slot) => ({
          index: shard.index,
          cid: shard.cid,
          size: shard.bytes.length,
          node: nodes[slot] ?? "",
        }))
      : nodes.map((node) => {
          const whole = encoded.fragments[0];
          return { index: 0, cid: whole?.cid ?? "", size: whole?.bytes.length ?? 0, node };
        });
  const { imageId, version, root, manifestCid, transactionHash } = committed;
  return {
    imageId,
    version,
    mode,
    visibility: visibilityOf(encoded.manifest),
    codec: encoded.codec,
    fidelity: encoded.fidelity,
    parity: mode === "disp" ? `${encoded.fragments.length}+${encoded.parityShards.length}` : null,
    ...(encoded.fallback === undefined ? {} : { fallback: encoded.fallback }),
    communityId,
    root,
    contentHash: encoded.contentHash,
    manifestCid: manifestCid.toString(),
    parts,
    sourceBytes: encoded.sourceBytes,
    manifestBytes: encoded.manifestBytes.length,
    storedBytes: parts.reduce((sum, part) => sum + part.size + encoded.manifestBytes.length, 0),
    transactionHash,
  };
}
