import type { Challenges } from "./challenges.js";
import type {
  AddVersionArgs,
  ImageEvent,
  ImageInfo,
  NodeInfo,
  Registered,
  StorageReceipt,
  StoredVersion,
  Transacted,
  VersionEvent,
  WrappedKey,
} from "./types.js";

/**
 * The DISP registry as the client sees it: every contract read, write and log query the client
 * makes. Reverts come back as ClientErrors (CLIENT_UNKNOWN_IMAGE, CLIENT_NOT_AUTHORIZED, ...), node
 * statuses as names; the contract bindings stay behind it. A version's event is read in the block
 * the registry recorded for it; the other log queries take the range to scan and split it into
 * pages of at most `maxLogRange` blocks (providers refuse wider ones).
 *
 * The calls that create a version or a grant take an optional last `keys`: when it is not empty,
 * the call and `publishKeys` for those keys (at most MAX_KEYS_PER_CALL) go in one `multicall`
 * transaction, so a grant or version never lands without its keys. The keys of a call that creates
 * a version must be for that version (1 for a registration, the next one for `addVersion`).
 */
export interface Registry {
  readonly address: string;
  /** The most blocks one `eth_getLogs` spans (default DEFAULT_MAX_LOG_RANGE). */
  readonly maxLogRange: number;

  /** The account of the signer the registry is connected with, or undefined for a read-only one. */
  account(): Promise<string | undefined>;
  /** Fails with CLIENT_NO_REGISTRY unless a DISP registry answers at `address` on this network. */
  check(): Promise<void>;
  /** The storage-challenge contract at `address`, connected with this registry's signer. */
  challengesAt(address: string): Challenges;

  // Images and versions
  imageInfo(imageId: bigint): Promise<ImageInfo>;
  /** The id the registry gives an image `registrant` registers with version 1's `root`. */
  imageIdOf(registrant: string, root: string): Promise<bigint>;
  versionRoot(imageId: bigint, version: bigint): Promise<string>;
  /**
   * The event that registered the version, read in `block` alone (`ImageInfo.versionBlock` for the
   * latest, `previousVersionBlock` of the next one for earlier versions), or undefined if not there.
   */
  versionEvent(imageId: bigint, version: bigint, block: number): Promise<VersionEvent | undefined>;
  replicas(imageId: bigint): Promise<string[]>;
  maxReplicas(): Promise<number>;
  canRead(imageId: bigint, account: string): Promise<boolean>;
  isEditor(imageId: bigint, account: string): Promise<boolean>;
  /** The image's editors in its current grant epoch (the owner is not one), in no set order. */
  editors(imageId: bigint): Promise<string[]>;
  /** The accounts holding a read grant in the image's current grant epoch, in no set order. */
  readers(imageId: bigint): Promise<string[]>;
  /** Whether the registry accepts `digest` with `proof` as fragment `fragment` of the version. */
  verifyFragment(
    imageId: bigint,
    version: bigint,
    fragment: number,
    digest: string,
    proof: readonly string[],
  ): Promise<boolean>;
  /** The receipts that count, one per confirmed slot: from the registry's state, no log scan. */
  storageReceipts(imageId: bigint, version: bigint): Promise<StorageReceipt[]>;
  /** Every event of the image (see IMAGE_EVENTS) within the range, oldest first. */
  imageEvents(imageId: bigint, fromBlock: number, toBlock: number): Promise<ImageEvent[]>;

  registerImage(
    communityId: bigint,
    fragmentCount: number,
    root: string,
    manifestCid: string,
    keys?: readonly WrappedKey[],
  ): Promise<Registered>;
  registerReplicatedImage(
    nodes: readonly string[],
    root: string,
    manifestCid: string,
    keys?: readonly WrappedKey[],
  ): Promise<Registered>;
  addVersion(
    imageId: bigint,
    root: string,
    manifestCid: string,
    keys?: readonly WrappedKey[],
  ): Promise<Registered>;
  grantRead(imageId: bigint, account: string, keys?: readonly WrappedKey[]): Promise<Transacted>;
  revokeRead(imageId: bigint, account: string): Promise<Transacted>;
  /**
   * Revocation by rotation, in one transaction: revokes the read grants of `revoked`, adds
   * `version` and publishes its `keys` (for the accounts that still read: a key for a revoked one
   * is refused on chain). Without a race, the new version is `versionCount + 1`; the keys must be
   * for it.
   */
  rotate(
    imageId: bigint,
    revoked: readonly string[],
    version: AddVersionArgs,
    keys: readonly WrappedKey[],
  ): Promise<Registered>;
  grantEditor(imageId: bigint, account: string, keys?: readonly WrappedKey[]): Promise<Transacted>;
  revokeEditor(imageId: bigint, account: string): Promise<Transacted>;
  /**
   * Offers the image to `newOwner` (the first of two steps; it owns it once it accepts), with
   * `keys` wrapped for it in the same multicall (a pending owner may hold keys).
   */
  transferImageOwnership(
    imageId: bigint,
    newOwner: string,
    keys?: readonly WrappedKey[],
  ): Promise<Transacted>;
  /** The signer, the pending owner, takes the image; every earlier grant becomes void. */
  acceptImageOwnership(imageId: bigint): Promise<Transacted>;
  /** The account that may accept the image, or undefined when none is pending. */
  pendingImageOwner(imageId: bigint): Promise<string | undefined>;
  /** Gives replica `index` of a replicated image to another opted-in node (the owner's repair). */
  replaceReplica(imageId: bigint, index: number, node: string): Promise<Transacted>;
  setPublic(imageId: bigint, isPublic: boolean): Promise<Transacted>;
  /** Publishes wrapped keys of the image's existing versions on their own (a grant's remainder). */
  publishKeys(imageId: bigint, keys: readonly WrappedKey[]): Promise<Transacted>;

  // Wrapped content keys (IImageKeys)
  /** The EncryptionKeyRegistry the registry's envelopes are wrapped to (read once). */
  encryptionKeyRegistry(): Promise<string>;
  /** `account`'s registered X25519 public key (0x and 64 hex digits), the zero hash when none. */
  encryptionKeyOf(account: string): Promise<string>;
  /** The block of the latest wrapped key of `account` for the version, 0 when none. */
  keyBlock(imageId: bigint, version: bigint, account: string): Promise<number>;
  /**
   * `account`'s envelope for the version, read from the one block `keyBlock` names (its topics and
   * length checked); undefined when none was published.
   */
  wrappedKey(imageId: bigint, version: bigint, account: string): Promise<Uint8Array | undefined>;
  confirmStorage(imageId: bigint, version: bigint): Promise<Transacted>;

  // Storage nodes and communities
  nodeInfo(node: string): Promise<NodeInfo>;
  /** The block the node last opted in (0 unless opted in): nothing older concerns it. */
  nodeOptedInBlock(node: string): Promise<number>;
  /** The block the node got its community slot (0 when it serves none). */
  nodeAssignedBlock(node: string): Promise<number>;
  /** Opts the signer in; `peerIdProof` (hex) is its peer key's signature (`signNodeBinding`). */
  optIn(peerId: string, multiaddrs: readonly string[], peerIdProof: string): Promise<Transacted>;
  updateNodeInfo(peerId: string, multiaddrs: readonly string[], peerIdProof: string): Promise<Transacted>;
  communityMembers(communityId: bigint): Promise<string[]>;
  /** Communities formed so far: their ids are 1 to this count. */
  communityCount(): Promise<bigint>;
  /** Everyone replaced out of the community, oldest first (they may still hold their part). */
  replacedMembers(communityId: bigint): Promise<string[]>;
  /** The block the community was formed in: nothing of it is older. */
  communityFormedBlock(communityId: bigint): Promise<number>;
  freeNodeCount(): Promise<bigint>;
  nextFreeNodes(count: number): Promise<string[]>;
  isCommunityManager(account: string): Promise<boolean>;
  /** Whether `account` may register images and add versions on the community (listed, or a manager). */
  isUploader(communityId: bigint, account: string): Promise<boolean>;
  /** Lists or unlists an uploader of the community (community manager only; no event if unchanged). */
  setUploader(communityId: bigint, account: string, allowed: boolean): Promise<Transacted>;
  formCommunity(size: number): Promise<Transacted & { readonly communityId: bigint }>;
  /** A community of the chosen free nodes, `nodes[i]` in slot i. */
  formCommunityWith(nodes: readonly string[]): Promise<Transacted & { readonly communityId: bigint }>;
  replaceMember(communityId: bigint, slot: number): Promise<Transacted & { readonly newNode: string }>;
  /** Gives `slot` to the chosen free `node`. */
  replaceMemberWith(communityId: bigint, slot: number, node: string): Promise<Transacted>;
  /** Takes a free node out of the pool (the manager's eviction). */
  removeFreeNode(node: string): Promise<Transacted>;

  // What a node agent scans for, block range by block range
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
