import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";

export interface Community {
  readonly communityId: bigint;
  /** Members by slot. */
  readonly members: string[];
}

/**
 * Forms a community of `size` from the free opted-in nodes, first come first served (needs the
 * community manager role). Checked first so a short pool is one clear error, not a revert.
 */
export async function formCommunity(context: ChainContext, size: number): Promise<Community> {
  const { registry } = context;
  await requireManager(context);
  const free = await registry.freeNodeCount();
  if (free < BigInt(size)) {
    throw new ClientError(
      "CLIENT_NOT_ENOUGH_NODES",
      `a community of ${size} needs ${size} free opted-in nodes, there ${free === 1n ? "is" : "are"} ${free}`,
    );
  }
  const { communityId } = await registry.formCommunity(size);
  return { communityId, members: await registry.communityMembers(communityId) };
}

/**
 * Forms a community of the free nodes the manager chose, `nodes[i]` in slot i: how a manager keeps
 * nodes it does not trust (queued first by anyone) out of its communities.
 */
export async function formCommunityWith(context: ChainContext, nodes: readonly string[]): Promise<Community> {
  const { registry } = context;
  await requireManager(context);
  const { communityId } = await registry.formCommunityWith(nodes);
  return { communityId, members: await registry.communityMembers(communityId) };
}

/** Gives `slot` to the chosen free `node` (a repair onto a node the manager trusts). */
export async function replaceMemberWith(
  context: ChainContext,
  communityId: bigint,
  slot: number,
  node: string,
): Promise<string> {
  await requireManager(context);
  await context.registry.replaceMemberWith(communityId, slot, node);
  return node;
}

/** Takes a free node out of the pool, so that formations from the front no longer take it. */
export async function removeFreeNode(context: ChainContext, node: string): Promise<void> {
  await requireManager(context);
  await context.registry.removeFreeNode(node);
}

/** Replaces the member in `slot` by the next free node (for repair); returns the new member. */
export async function replaceMember(
  context: ChainContext,
  communityId: bigint,
  slot: number,
): Promise<string> {
  await requireManager(context);
  return (await context.registry.replaceMember(communityId, slot)).newNode;
}

/** Fails with CLIENT_NOT_AUTHORIZED unless the registry's signer is a community manager. */
async function requireManager(context: ChainContext): Promise<void> {
  const account = await context.registry.account();
  if (account === undefined || !(await context.registry.isCommunityManager(account))) {
    throw new ClientError(
      "CLIENT_NOT_AUTHORIZED",
      `${account ?? "a read-only client"} lacks the community manager role: ask the registry's admin to grant it`,
    );
  }
}
