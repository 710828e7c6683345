import type { IpfsNode } from "@disp/ipfs";

import { messageOf } from "./errors.js";
import { read, type DispRegistry } from "./registry.js";

/**
 * The addresses `node` last published: from the registry while it is opted in, else from its last
 * NodeOptedIn / NodeInfoUpdated event (a node replaced in its community leaves the registry, but its
 * IPFS node may still hold what it kept, which is what a repair needs).
 */
export async function publishedAddresses(
  registry: DispRegistry,
  node: string,
  fromBlock: number,
): Promise<string[]> {
  const info = await read(registry, () => registry.nodeInfo(node));
  if (info.status !== 0n) return [...info.multiaddrs];
  const logs = [
    ...(await registry.queryFilter(registry.filters.NodeOptedIn(node), fromBlock)),
    ...(await registry.queryFilter(registry.filters.NodeInfoUpdated(node), fromBlock)),
  ].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const last = logs.at(-1);
  return last === undefined ? [] : [...last.args.multiaddrs];
}

/**
 * Who may hold the parts of an image: its community's members and everyone who held a slot of it
 * before (replaced members), or its replicas. A node agent dials them before fetching its part.
 */
export async function likelyHolders(
  registry: DispRegistry,
  imageId: bigint,
  fromBlock: number,
): Promise<string[]> {
  const info = await read(registry, () => registry.imageInfo(imageId));
  if (info.communityId === 0n) return [...(await read(registry, () => registry.replicas(imageId)))];
  const members = await read(registry, () => registry.communityMembers(info.communityId));
  const replaced = await registry.queryFilter(
    registry.filters.CommunityMemberReplaced(info.communityId),
    fromBlock,
  );
  return [...new Set([...members, ...replaced.map((log) => log.args.previousNode)])];
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
  registry: DispRegistry,
  ipfs: IpfsNode,
  nodes: readonly string[],
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal; readonly fromBlock?: number },
): Promise<Unreachable[]> {
  const connected = new Set(await ipfs.peers());
  const unreachable: Unreachable[] = [];
  await Promise.all(
    [...new Set(nodes)].map(async (node) => {
      const addresses = await publishedAddresses(registry, node, options.fromBlock ?? 0);
      let lastError: unknown = new Error("it published no address");
      for (const address of addresses) {
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

/**
 * Dials everyone who may hold a part of the image: its current holders (the unreachable ones are
 * returned) and, best effort, members it had before (a replaced member may still hold its part).
 */
export async function dialHolders(
  registry: DispRegistry,
  ipfs: IpfsNode,
  imageId: bigint,
  current: readonly string[],
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal; readonly fromBlock?: number },
): Promise<Unreachable[]> {
  const fromBlock = options.fromBlock ?? 0;
  const previous = (await likelyHolders(registry, imageId, fromBlock)).filter(
    (node) => !current.includes(node),
  );
  const [unreachable] = await Promise.all([
    dialNodes(registry, ipfs, current, options),
    dialNodes(registry, ipfs, previous, options),
  ]);
  return unreachable;
}
