// IPFS nodes behind one interface: embedded Helia and Kubo over kubo-rpc-client.
export type { AddOptions, CatOptions, IpfsNode } from "./node.js";
export type { ReadOptions } from "./deadline.js";
export { CID } from "multiformats/cid";
export { IpfsError, isIpfsError, type IpfsErrorCode } from "./errors.js";
export { DEFAULT_MAX_MULTIADDR_LENGTH, isLoopback, refusedAddress, type AddressPolicy } from "./address.js";
export { canonicalPeerId, PEER_KEY_SIGNED_PREFIX, verifyPeerSignature } from "./peer-key.js";
export { createEmbeddedNode, LOOPBACK_LISTEN, type EmbeddedNodeOptions } from "./embedded.js";
export { createKuboNode, KUBO_MAX_CHILDREN_PER_NODE, type KuboClient, type KuboNodeOptions } from "./kubo.js";
export { LOCK_FILE } from "./dir-lock.js";
export {
  DEFAULT_PACKS,
  PackBlockstore,
  packFileName,
  type PackBlockstoreOptions,
} from "./pack-blockstore.js";
export { currentMemorySetup, HUGE_PAGES_TUNABLE, hugePagesAdvice, type MemorySetup } from "./huge-pages.js";
