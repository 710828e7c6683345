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

/** How a version is cut for a community: k = kh × kw fragments, plus m parity shards. */
export interface ShardShape {
  readonly kernel: Kernel;
  readonly parity: number;
}

/** The kernel a DISP store uses when told neither a kernel nor a parity count. */
export const DEFAULT_KERNEL: Kernel = Object.freeze({ height: 2, width: 2 });

/**
 * The shape of a version for a community of `slots` members, one shard per member (k + m =
 * slots). Both given, they must fit; one given, the other fills the community; neither, the
 * default 2×2 kernel with the other members keeping parity (4 + 2 on 6 nodes, 4 + 0 on 4), or on
 * fewer than 4 members the kernel of their number. A shape that does not fit is refused with the
 * --parity that would (CLIENT_INVALID_INPUT).
 */
export function shardShapeFor(
  slots: number,
  given: { readonly kernel?: Kernel | undefined; readonly parity?: number | undefined },
): ShardShape {
  const { kernel, parity } = given;
  if (parity !== undefined && (!Number.isInteger(parity) || parity < 0)) {
    throw new ClientError("CLIENT_INVALID_INPUT", `--parity must be a whole number >= 0, got ${parity}`);
  }
  if (kernel === undefined && parity === undefined) {
    const k = DEFAULT_KERNEL.height * DEFAULT_KERNEL.width;
    return slots >= k
      ? { kernel: DEFAULT_KERNEL, parity: slots - k }
      : { kernel: kernelForSize(slots), parity: 0 };
  }
  if (kernel === undefined && parity !== undefined) {
    if (parity >= slots) {
      throw new ClientError(
        "CLIENT_INVALID_INPUT",
        `${parity} parity shards leave no fragment in a community of ${slots}: use --parity ${Math.max(0, slots - 1)} or less`,
      );
    }
    return { kernel: kernelForSize(slots - parity), parity };
  }
  const chosen = kernel ?? DEFAULT_KERNEL;
  const k = chosen.height * chosen.width;
  const m = parity ?? slots - k;
  if (m < 0) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `a ${chosen.height}x${chosen.width} kernel makes ${k} fragments but the community has ${slots} members: use a kernel of at most ${slots} fragments`,
    );
  }
  if (k + m !== slots) {
    const fits = slots - k >= 0 ? `use --parity ${slots - k}` : `use a kernel of at most ${slots} fragments`;
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `a ${chosen.height}x${chosen.width} kernel (${k} fragments) with ${m} parity shards needs a community of ${k + m}, this one has ${slots} members: ${fits}, or form a community of ${k + m}`,
    );
  }
  return { kernel: chosen, parity: m };
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
