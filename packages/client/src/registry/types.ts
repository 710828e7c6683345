/** Where a node stands in the registry (`ICommunityRegistry.NodeStatus`). */
export type NodeStatus =
  /** Not opted in (never, opted out, or replaced out of its community). */
  | "none"
  /** Opted in, waiting in the pool of free nodes. */
  | "free"
  /** Opted in and holding a slot of a community. */
  | "serving";

/** `ICommunityRegistry.NodeStatus` by the value the contract uses (its index here). */
export const NODE_STATUSES: readonly NodeStatus[] = ["none", "free", "serving"];

/** How a storage node says it is reached, as it published it (untrusted until its proof is checked). */
export interface NodeContact {
  readonly peerId: string;
  readonly multiaddrs: readonly string[];
  /** Its peer key's signature over the binding (hex, `0x` when none; see `node-proof.ts`). */
  readonly peerIdProof: string;
}

/** What the registry knows of a storage node. */
export interface NodeInfo extends NodeContact {
  readonly status: NodeStatus;
  /** The community it serves (0 unless serving). */
  readonly communityId: bigint;
  /** Its slot in that community (meaningful only while serving). */
  readonly slot: number;
}

/** What a client needs to fetch and check an image. */
export interface ImageInfo {
  readonly imageId: bigint;
  readonly owner: string;
  /** The community holding the fragments, 0 for a replicated image. */
  readonly communityId: bigint;
  /** Fragments per version: the community size, or 1 for a replicated image. */
  readonly fragmentCount: number;
  /** The latest version (versions are numbered from 1). */
  readonly versionCount: bigint;
  readonly isPublic: boolean;
  /** The block the latest version was registered in: where its event is read. */
  readonly versionBlock: number;
}

/** The event that registered a version: `ImageRegistered` (version 1) or `VersionAdded`. */
export interface VersionEvent {
  /** Who registered it (the owner at the time, or an editor). */
  readonly editor: string;
  /** The manifest CID in binary form, hex encoded, as the event carries it. */
  readonly manifestCid: string;
  readonly blockNumber: number;
  readonly transactionHash: string;
  /** For versions 2 and later: the block of the version before (the registry's link back). */
  readonly previousVersionBlock?: number;
}

/** A storage receipt that counts: `node` holds `slot` now and confirmed the version since it got it. */
export interface StorageReceipt {
  readonly node: string;
  readonly slot: number;
}

/** A version the registry recorded for a community (what a member's agent must keep). */
export interface StoredVersion {
  readonly imageId: bigint;
  readonly version: bigint;
}

/** A transaction the registry accepted. */
export interface Transacted {
  readonly transactionHash: string;
  readonly blockNumber: number;
  /** Whether the registry emitted any event: idempotent calls that changed nothing emit none. */
  readonly emitted: boolean;
}

/** A version just registered, as its transaction's event names it. */
export interface Registered extends Transacted {
  readonly imageId: bigint;
  readonly version: bigint;
}

/**
 * A version's content key wrapped to one account's registered encryption key (the 81-byte envelope
 * of `@disp/crypto`, bound to the chain, registry, image, version and account).
 */
export interface WrappedKey {
  readonly version: bigint;
  readonly account: string;
  readonly envelope: Uint8Array;
}

/** A new version's Merkle root and manifest CID (binary, hex encoded), as `addVersion` takes them. */
export interface AddVersionArgs {
  readonly root: string;
  readonly manifestCid: string;
}

/** Every event that speaks of one image; together they are its audit trail. */
export const IMAGE_EVENTS = [
  "ImageRegistered",
  "VersionAdded",
  "ReplicaAssigned",
  "ReplicaReplaced",
  "StorageConfirmed",
  "ImageOwnershipTransferStarted",
  "ImageOwnershipTransferCanceled",
  "ImageOwnershipTransferred",
  "EditorGranted",
  "EditorRevoked",
  "ReadGranted",
  "ReadRevoked",
  "ImageVisibilityChanged",
  "KeyWrapped",
] as const;

export type ImageEventName = (typeof IMAGE_EVENTS)[number];

/** One event of an image, its arguments by name in declaration order. */
export interface ImageEvent {
  readonly name: ImageEventName;
  readonly args: readonly { readonly name: string; readonly value: unknown }[];
  readonly blockNumber: number;
  readonly logIndex: number;
  readonly transactionHash: string;
}
