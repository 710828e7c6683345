import { type Kernel } from "@disp/protocol";
import { checkKernel } from "@disp/core";

import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import type { ImageInfo } from "./registry/index.js";

/** Who keeps what of one image: slot i of `nodes` keeps fragment i (or, replicated, the whole file). */
export interface Placement {
  /** The community (0 for a replicated image). */
  readonly communityId: bigint;
  /** The nodes by slot: community members now, or the replicas named at registration. */
  readonly nodes: string[];
}

/** Where an image's parts live now (a replaced community member is replaced here too). */
export async function placementOf(context: ChainContext, imageId: bigint): Promise<Placement> {
  return placementFor(context, await context.registry.imageInfo(imageId));
}

/** Where the parts of the image `info` describes live now: its community's members, or its replicas. */
export async function placementFor(
  context: ChainContext,
  info: Pick<ImageInfo, "imageId" | "communityId">,
): Promise<Placement> {
  const { registry } = context;
  if (info.communityId === 0n) return { communityId: 0n, nodes: await registry.replicas(info.imageId) };
  return { communityId: info.communityId, nodes: await registry.communityMembers(info.communityId) };
}

/**
 * The kernel for a community of `size` members: the most nearly square kh × kw = size with both
 * sides at most 8 (4 → 2×2, 6 → 2×3, 9 → 3×3, 64 → 8×8). Sizes with no such factorisation (a prime
 * above 8) need an explicit kernel shape that the community cannot have, so they are refused.
 */
export function kernelForSize(size: number): Kernel {
  for (let height = Math.floor(Math.sqrt(size)); height >= 1; height--) {
    if (size % height === 0 && size / height <= 8) return checkKernel({ height, width: size / height });
  }
  throw new ClientError(
    "CLIENT_INVALID_INPUT",
    `a community of ${size} cannot be served by a kernel of at most 8×8: form one whose size is kh × kw`,
  );
}

/**
 * The `count` nodes that keep a replicated image: the first members of `communityId` when given,
 * else the next free opted-in nodes.
 */
export async function replicaNodes(
  context: ChainContext,
  count: number,
  communityId?: bigint,
): Promise<string[]> {
  const { registry } = context;
  const nodes =
    communityId === undefined
      ? await registry.nextFreeNodes(count)
      : (await registry.communityMembers(communityId)).slice(0, count);
  if (nodes.length < count) {
    throw new ClientError(
      "CLIENT_NOT_ENOUGH_NODES",
      `${count} replicas asked for, only ${nodes.length} storage nodes are available`,
    );
  }
  return nodes;
}
