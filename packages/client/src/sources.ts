import type { IpfsNode } from "@disp/ipfs";

import type { ChainContext, ClientContext } from "./context.js";
import { messageOf } from "./errors.js";
import type { Placement } from "./placement.js";

/**
 * The addresses `node` last published, from the registry's state: a node replaced in its community
 * leaves the registry but keeps its addresses there, since its IPFS node may still hold what it
 * kept, which is what a repair needs.
 */
export async function publishedAddresses(context: ChainContext, node: string): Promise<string[]> {
  return [...(await context.registry.nodeInfo(node)).multiaddrs];
}

/** Each node's published addresses, read once: a redial reuses them. */
export type AddressBook = ReadonlyMap<string, readonly string[]>;

export async function addressBook(context: ChainContext, nodes: readonly string[]): Promise<AddressBook> {
  const unique = [...new Set(nodes)];
  const addresses = await Promise.all(unique.map((node) => publishedAddresses(context, node)));
  return new Map(unique.map((node, i) => [node, addresses[i] ?? []]));
}

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
  readonly reason: string;
}

/**
 * Connects `ipfs` to the IPFS nodes of the given storage nodes, at the addresses they published on
 * chain, so bitswap can exchange blocks with them. Unreachable nodes are reported, not fatal: what
 * they keep shows up as missing later, which is the caller's to judge.
 */
export async function dialNodes(
  context: Pick<ClientContext, "registry" | "ipfs" | "fromBlock">,
  nodes: readonly string[],
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<Unreachable[]> {
  return dialAddresses(context.ipfs, await addressBook(context, nodes), nodes, options);
}

/** Dials `nodes` at the addresses `book` has for them (a node without any is unreachable). */
export async function dialAddresses(
  ipfs: IpfsNode,
  book: AddressBook,
  nodes: readonly string[],
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<Unreachable[]> {
  const connected = new Set(await ipfs.peers());
  const unreachable: Unreachable[] = [];
  await Promise.all(
    [...new Set(nodes)].map(async (node) => {
      let lastError: unknown = new Error("it published no address");
      for (const address of book.get(node) ?? []) {
        const peer = address.split("/p2p/").at(-1);
        if (peer === ipfs.peerId || (peer !== undefined && connected.has(peer))) return;
        try {
          await ipfs.connect(address, options);
          return;
        } catch (error) {
          lastError = error;
        }
      }
      unreachable.push({ node, reason: messageOf(lastError) });
    }),
  );
  return unreachable;
}
