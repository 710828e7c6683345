import type { IpfsNode } from "@disp/ipfs";

import type { ChainContext, ClientContext } from "./context.js";
import { ClientError, messageOf, type ClientErrorCode } from "./errors.js";
import { dialTarget, type DialTarget } from "./node-contact.js";
import type { Placement } from "./placement.js";
import type { NodeContact } from "./registry/index.js";

/**
 * What `node` last published (peer id, addresses, proof), from the registry's state: a node replaced
 * in its community leaves the registry but keeps its contact there, since its IPFS node may still
 * hold what it kept, which is what a repair needs. Empty for a node that never opted in or opted out.
 */
export async function publishedContact(context: ChainContext, node: string): Promise<NodeContact> {
  return context.registry.nodeInfo(node);
}

/** Each node's published contact, read once and checked (`dialTarget`): a redial reuses it. */
export type AddressBook = ReadonlyMap<string, DialTarget>;

export async function addressBook(context: ChainContext, nodes: readonly string[]): Promise<AddressBook> {
  const unique = [...new Set(nodes)];
  const targets = await Promise.all(
    unique.map(async (node) => dialTarget(context, node, await publishedContact(context, node))),
  );
  return new Map(unique.map((node, i) => [node, targets[i] ?? NO_ADDRESS]));
}

const NO_ADDRESS: DialTarget = { code: "CLIENT_ADDRESS_REFUSED", reason: "it published no address" };

/**
 * Who may hold the parts of an image placed as `placement`: its community's members and everyone
 * who held a slot of it before (replaced members), or its replicas.
 */
export async function likelyHolders(context: ChainContext, placement: Placement): Promise<string[]> {
  if (placement.communityId === 0n) return [...placement.nodes];
  const replaced = await context.registry.replacedMembers(placement.communityId);
  return [...new Set([...placement.nodes, ...replaced])];
}

/** A node that could not be dialled, and why. */
export interface Unreachable {
  readonly node: string;
  /** CLIENT_PEER_ID_UNPROVEN, CLIENT_ADDRESS_REFUSED or CLIENT_NODE_UNREACHABLE. */
  readonly code: ClientErrorCode;
  readonly reason: string;
}

export interface DialOptions {
  /** One deadline per node: all of its addresses are dialled at once and must answer by then. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Connects `ipfs` to the IPFS nodes of the given storage nodes, at the addresses they published on
 * chain, so bitswap can exchange blocks with them. Unreachable nodes are reported, not fatal: what
 * they keep shows up as missing later, which is the caller's to judge. A node is dialled only once
 * its peer-id proof holds, and only at addresses the context's policy allows.
 */
export async function dialNodes(
  context: Pick<ClientContext, "registry" | "ipfs" | "fromBlock" | "addressPolicy">,
  nodes: readonly string[],
  options: DialOptions,
): Promise<Unreachable[]> {
  return dialAddresses(context.ipfs, await addressBook(context, nodes), nodes, options);
}

/**
 * Dials one node, failing with the ClientError of why it cannot be reached
 * (CLIENT_PEER_ID_UNPROVEN, CLIENT_ADDRESS_REFUSED, CLIENT_NODE_UNREACHABLE).
 */
export async function dialNode(
  context: Pick<ClientContext, "registry" | "ipfs" | "fromBlock" | "addressPolicy">,
  node: string,
  options: DialOptions,
): Promise<void> {
  const [unreachable] = await dialNodes(context, [node], options);
  if (unreachable !== undefined) {
    throw new ClientError(unreachable.code, `cannot reach storage node ${node}: ${unreachable.reason}`);
  }
}

/**
 * Dials `nodes` as `book` has them: every address of a node at once under one deadline, the first
 * connection wins and the other dials are cancelled (a dead address costs nothing when another
 * answers). Nodes whose contact failed its checks are reported, never dialled.
 */
export async function dialAddresses(
  ipfs: IpfsNode,
  book: AddressBook,
  nodes: readonly string[],
  options: DialOptions,
): Promise<Unreachable[]> {
  const connected = new Set(await ipfs.peers());
  const unreachable: Unreachable[] = [];
  await Promise.all(
    [...new Set(nodes)].map(async (node) => {
      const target = book.get(node) ?? NO_ADDRESS;
      if ("reason" in target) {
        unreachable.push({ node, code: target.code, reason: target.reason });
        return;
      }
      if (target.peerId === ipfs.peerId || connected.has(target.peerId)) return;
      try {
        await dialFirst(ipfs, target.addresses, options);
      } catch (error) {
        unreachable.push({ node, code: "CLIENT_NODE_UNREACHABLE", reason: messageOf(error) });
      }
    }),
  );
  return unreachable;
}

/** Dials every address at once; resolves at the first connection and cancels the others. */
async function dialFirst(ipfs: IpfsNode, addresses: readonly string[], options: DialOptions): Promise<void> {
  const losers = new AbortController();
  const signal =
    options.signal === undefined ? losers.signal : AbortSignal.any([options.signal, losers.signal]);
  try {
    await Promise.any(
      addresses.map((address) => ipfs.connect(address, { timeoutMs: options.timeoutMs, signal })),
    );
  } catch (error) {
    const reasons = error instanceof AggregateError ? error.errors.map(messageOf) : [messageOf(error)];
    throw new Error(reasons.join("; "), { cause: error });
  } finally {
    losers.abort();
  }
}
