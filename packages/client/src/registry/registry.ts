import type {
  ImageEvent,
  ImageInfo,
  NodeContact,
  NodeInfo,
  Registered,
  StorageReceipt,
  StoredVersion,
  Transacted,
  VersionEvent,
} from "./types.js";

/**
 * The DISP registry as the client sees it: every contract read, write and log query the client
 * makes. Reverts come back as ClientErrors (CLIENT_UNKNOWN_IMAGE, CLIENT_NOT_AUTHORIZED, ...), node
 * statuses as names; the contract bindings stay behind it. Log queries take the first block to scan
 * (the registry's deployment block when known) and, for the agent's passes, the last.
 */
export interface Registry {
  readonly address: string;

  /** The account of the signer the registry is connected with, or undefined for a read-only one. */
  account(): Promise<string | undefined>;
  /** Fails with CLIENT_NO_REGISTRY unless a DISP registry answers at `address` on this network. */
  check(): Promise<void>;

  // Images and versions
  imageInfo(imageId: bigint): Promise<ImageInfo>;
  /** The id the registry gives an image `registrant` registers with version 1's `root`. */
  imageIdOf(registrant: string, root: string): Promise<bigint>;
  versionRoot(imageId: bigint, version: bigint): Promise<string>;
  /** The event that registered the version, or undefined when none is found from `fromBlock`. */
  versionEvent(imageId: bigint, version: bigint, fromBlock: number): Promise<VersionEvent | undefined>;
  replicas(imageId: bigint): Promise<string[]>;
  maxReplicas(): Promise<number>;
  canRead(imageId: bigint, account: string): Promise<boolean>;
  isEditor(imageId: bigint, account: string): Promise<boolean>;
  /** Whether the registry accepts `digest` with `proof` as fragment `fragment` of the version. */
  verifyFragment(
    imageId: bigint,
    version: bigint,
    fragment: number,
    digest: string,
    proof: readonly string[],
  ): Promise<boolean>;
  storageReceipts(imageId: bigint, version: bigint, fromBlock: number): Promise<StorageReceipt[]>;
  /** Every event of the image (see IMAGE_EVENTS), oldest first, in one log query. */
  imageEvents(imageId: bigint, fromBlock: number): Promise<ImageEvent[]>;

  registerImage(
    communityId: bigint,
    fragmentCount: number,
    root: string,
    manifestCid: string,
  ): Promise<Registered>;
  registerReplicatedImage(nodes: readonly string[], root: string, manifestCid: string): Promise<Registered>;
  addVersion(imageId: bigint, root: string, manifestCid: string): Promise<Registered>;
  grantRead(imageId: bigint, account: string): Promise<Transacted>;
  revokeRead(imageId: bigint, account: string): Promise<Transacted>;
  grantEditor(imageId: bigint, account: string): Promise<Transacted>;
  revokeEditor(imageId: bigint, account: string): Promise<Transacted>;
  transferImageOwnership(imageId: bigint, newOwner: string): Promise<Transacted>;
  setPublic(imageId: bigint, isPublic: boolean): Promise<Transacted>;
  confirmStorage(imageId: bigint, version: bigint): Promise<Transacted>;

  // Storage nodes and communities
  nodeInfo(node: string): Promise<NodeInfo>;
  /** The addresses in the node's last NodeOptedIn / NodeInfoUpdated event (empty if none). */
  lastPublishedAddresses(node: string, fromBlock: number): Promise<string[]>;
  /** The contact in the node's last NodeOptedIn / NodeInfoUpdated event, with its proof. */
  lastPublishedContact(node: string, fromBlock: number): Promise<NodeContact | undefined>;
  /** Opts the signer in; `peerIdProof` (hex) is its peer key's signature (`signNodeBinding`). */
  optIn(peerId: string, multiaddrs: readonly string[], peerIdProof: string): Promise<Transacted>;
  updateNodeInfo(peerId: string, multiaddrs: readonly string[], peerIdProof: string): Promise<Transacted>;
  communityMembers(communityId: bigint): Promise<string[]>;
  /** Everyone replaced out of the community since `fromBlock` (they may still hold their part). */
  replacedMembers(communityId: bigint, fromBlock: number): Promise<string[]>;
  freeNodeCount(): Promise<bigint>;
  nextFreeNodes(count: number): Promise<string[]>;
  isCommunityManager(account: string): Promise<boolean>;
  formCommunity(size: number): Promise<Transacted & { readonly communityId: bigint }>;
  replaceMember(communityId: bigint, slot: number): Promise<Transacted & { readonly newNode: string }>;

  // What a node agent scans for, block range by block range
  /** Whether `node` was assigned to, or replaced into, the community within the range. */
  joinedCommunity(communityId: bigint, node: string, fromBlock: number, toBlock: number): Promise<boolean>;
  /** Images registered with the community (0: replicated) within the range: their version 1. */
  imagesRegisteredWith(communityId: bigint, fromBlock: number, toBlock: number): Promise<bigint[]>;
  /** Versions 2 and later added to images of the community (0: replicated) within the range. */
  versionsAddedWith(communityId: bigint, fromBlock: number, toBlock: number): Promise<StoredVersion[]>;
  /** Images assigned to `node` as a replica within the range. */
  replicaAssignments(node: string, fromBlock: number, toBlock: number): Promise<bigint[]>;

  // The chain
  /** The chain id of the network the registry is on (read once). */
  chainId(): Promise<bigint>;
  blockNumber(): Promise<number>;
  blockHash(blockNumber: number): Promise<string | undefined>;
  blockTimestamp(blockNumber: number): Promise<number>;
}
