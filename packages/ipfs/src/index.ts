// IPFS nodes behind one interface: embedded Helia and Kubo over kubo-rpc-client.
export type { AddOptions, CatOptions, IpfsNode } from "./node.js";
export type { ReadOptions } from "./deadline.js";
export { IpfsError, isIpfsError, type IpfsErrorCode } from "./errors.js";
export { createEmbeddedNode, LOOPBACK_LISTEN, type EmbeddedNodeOptions } from "./embedded.js";
