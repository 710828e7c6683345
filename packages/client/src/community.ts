import { ClientError } from "./errors.js";
import { findEvent, read, signerOf, transact, type DispRegistry } from "./registry.js";

export interface Community {
  readonly communityId: bigint;
  /** Members by slot. */
  readonly members: string[];
}

/**
 * Forms a community of `size` from the free opted-in nodes, first come first served (needs the
 * community manager role). Checked first so a short pool is one clear error, not a revert.
 */
export async function formCommunity(registry: DispRegistry, size: number): Promise<Community> {
  await requireManager(registry);
  const free = await read(registry, () => registry.freeNodeCount());
  if (free < BigInt(size)) {
    throw new ClientError(
      "CLIENT_NOT_ENOUGH_NODES",
      `a community of ${size} needs ${size} free opted-in nodes, there ${free === 1n ? "is" : "are"} ${free}`,
    );
  }
  const receipt = await transact(registry, () => registry.formCommunity(size));
  const communityId = BigInt(
    findEvent(registry, receipt, "CommunityFormed").args.getValue("communityId") as bigint,
  );
  return { communityId, members: [...(await registry.communityMembers(communityId))] };
}

/** Replaces the member in `slot` by the next free node (for repair); returns the new member. */
/** Fails with CLIENT_NOT_AUTHORIZED unless the registry's signer is a community manager. */
async function requireManager(registry: DispRegistry): Promise<void> {
  const account = await signerOf(registry);
  const role = await read(registry, () => registry.COMMUNITY_MANAGER_ROLE());
  if (account === undefined || !(await read(registry, () => registry.hasRole(role, account)))) {
    throw new ClientError(
      "CLIENT_NOT_AUTHORIZED",
      `${account ?? "a read-only client"} lacks the community manager role: ask the registry's admin to grant it`,
    );
  }
}

export async function replaceMember(
  registry: DispRegistry,
  communityId: bigint,
  slot: number,
): Promise<string> {
  await requireManager(registry);
  const receipt = await transact(registry, () => registry.replaceMember(communityId, slot));
  return String(findEvent(registry, receipt, "CommunityMemberReplaced").args.getValue("newNode"));
}
