import { setTimeout as delay } from "node:timers/promises";

import { replaceMember, replaceMemberWith } from "./community.js";
import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import { imageIdHex } from "./image-id.js";
import type { OnClientProgress } from "./progress.js";

export interface RepairOptions {
  /** The free node that takes the slot (default: the next free node in the registry's queue). */
  readonly node?: string;
  /**
   * Wait until the new member has confirmed its shard of every image and version of the
   * community, each rebuilt by its agent from the other members' shards (default true).
   */
  readonly wait?: boolean;
  /** Longest wait for those confirmations (default 300 s). */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

export interface RepairResult {
  readonly communityId: bigint;
  readonly slot: number;
  /** The member replaced (it keeps its record; what it still holds stays a source). */
  readonly removed: string;
  /** The new member of the slot. */
  readonly node: string;
  /** Versions of the community the new member keeps its shard of (confirmed when `wait`). */
  readonly versions: number;
  readonly confirmed: boolean;
}

/**
 * Repairs a community slot whose node is lost: the manager gives the slot to a free node on chain
 * (`replaceMember`), whose agent then rebuilds its shard of every image and version of the
 * community from any k of the others, checks it against the leaf already on chain (a repair never
 * changes a root), pins it and confirms. With `wait`, resolves once every confirmation is on chain.
 * The versions are read from the community's own events, from its formation on, page by page.
 */
export async function repairSlot(
  context: ChainContext,
  communityId: bigint,
  slot: number,
  options: RepairOptions = {},
): Promise<RepairResult> {
  const { registry } = context;
  const members = await registry.communityMembers(communityId);
  const removed = members[slot];
  if (!Number.isInteger(slot) || removed === undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `community ${communityId} has slots 0 to ${members.length - 1}, not ${slot}`,
    );
  }
  const node =
    options.node === undefined
      ? await replaceMember(context, communityId, slot)
      : await replaceMemberWith(context, communityId, slot, options.node);
  const versions = await versionsOf(context, communityId);
  if (options.wait === false)
    return { communityId, slot, removed, node, versions: versions.length, confirmed: false };
  await awaitSlot(context, versions, slot, node, options);
  return { communityId, slot, removed, node, versions: versions.length, confirmed: true };
}

/** Every (image, version) stored with the community, from its formation to the head. */
async function versionsOf(
  context: ChainContext,
  communityId: bigint,
): Promise<{ imageId: bigint; version: bigint }[]> {
  const { registry } = context;
  const from = await registry.communityFormedBlock(communityId);
  const head = await registry.blockNumber();
  const images = await registry.imagesRegisteredWith(communityId, from, head);
  const later = await registry.versionsAddedWith(communityId, from, head);
  return [...images.map((imageId) => ({ imageId, version: 1n })), ...later];
}

/** Waits until `node` has confirmed its slot's shard of every one of `versions`. */
async function awaitSlot(
  context: ChainContext,
  versions: readonly { imageId: bigint; version: bigint }[],
  slot: number,
  node: string,
  options: RepairOptions,
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const waiting = new Set(versions.map((_, i) => i));
  for (;;) {
    for (const i of [...waiting]) {
      const { imageId, version } = versions[i] ?? { imageId: 0n, version: 0n };
      const receipts = await context.registry.storageReceipts(imageId, version);
      if (receipts.some((r) => r.slot === slot && r.node.toLowerCase() === node.toLowerCase()))
        waiting.delete(i);
    }
    options.onProgress?.({ phase: "confirm", done: versions.length - waiting.size, total: versions.length });
    if (waiting.size === 0) return;
    if (Date.now() >= deadline || options.signal?.aborted === true) {
      const left = [...waiting]
        .map((i) => versions[i])
        .map((v) => `${imageIdHex(v?.imageId ?? 0n)} v${v?.version}`);
      throw new ClientError(
        "CLIENT_STORAGE_TIMEOUT",
        `slot ${slot} is now ${node}, but it has not confirmed ${left.length} of ${versions.length} versions (${left.slice(0, 4).join(", ")}${left.length > 4 ? ", …" : ""}): is its agent running, and are k other members reachable?`,
      );
    }
    await delay(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
