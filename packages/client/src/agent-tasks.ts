import { initialState, taskKey, type AgentState, type PinTask } from "./agent-state.js";
import { read, type DispRegistry } from "./registry.js";

/** Node statuses of `ICommunityRegistry.NodeStatus`. */
const SERVING = 2n;

/** Blocks read per pass: public RPC providers cap the range of one `eth_getLogs`. */
export const MAX_BLOCKS_PER_PASS = 5000;

/**
 * Turns the events since the agent's cursor into pin tasks for `node`:
 * - images and versions stored with its community (it keeps fragment `slot`), including, when it
 *   joined the community in this range (formation or replacement), everything stored there before;
 * - replicated images naming it (every version so far), and later versions of those.
 * Tasks already pending or done are not added twice.
 */
export async function collectTasks(
  registry: DispRegistry,
  node: string,
  state: AgentState,
  fromBlock: number,
): Promise<{ state: AgentState }> {
  const provider = registry.runner?.provider;
  if (provider == null) throw new TypeError("the registry has no provider");
  // A cursor block whose hash changed belongs to another chain (a restarted local node) or was
  // reorganised away: what the state remembers is no longer true, so start over.
  if (state.cursor >= fromBlock && state.cursorHash !== undefined) {
    const block = await provider.getBlock(state.cursor);
    if (block?.hash !== state.cursorHash) state = initialState(fromBlock);
  }
  const head = await provider.getBlockNumber();
  const from = state.cursor + 1;
  if (from > head) return { state };
  const latest = Math.min(head, from + MAX_BLOCKS_PER_PASS - 1);

  const found: PinTask[] = [];
  const info = await read(registry, () => registry.nodeInfo(node));
  if (info.status === SERVING) {
    const communityId = info.communityId;
    const slot = Number(info.slot);
    const joinedNow =
      (
        await registry.queryFilter(
          registry.filters.CommunityMemberAssigned(communityId, undefined, node),
          from,
          latest,
        )
      ).length > 0 ||
      (
        await registry.queryFilter(
          registry.filters.CommunityMemberReplaced(communityId, undefined, node),
          from,
          latest,
        )
      ).length > 0;
    // A node that just joined owes its slot for everything the community already keeps.
    const since = joinedNow ? fromBlock : from;
    for (const log of await registry.queryFilter(
      registry.filters.ImageRegistered(undefined, undefined, communityId),
      since,
      latest,
    )) {
      found.push({ imageId: log.args.imageId.toString(), version: "1", fragment: slot });
    }
    for (const log of await registry.queryFilter(
      registry.filters.VersionAdded(undefined, undefined, communityId),
      since,
      latest,
    )) {
      found.push({
        imageId: log.args.imageId.toString(),
        version: log.args.version.toString(),
        fragment: slot,
      });
    }
  }

  const replicated = new Set(state.replicated);
  for (const log of await registry.queryFilter(
    registry.filters.ReplicaAssigned(undefined, node),
    from,
    latest,
  )) {
    const imageId = log.args.imageId;
    replicated.add(imageId.toString());
    const { versionCount } = await read(registry, () => registry.imageInfo(imageId));
    for (let version = 1n; version <= versionCount; version++) {
      found.push({ imageId: imageId.toString(), version: version.toString(), fragment: 0 });
    }
  }
  for (const log of await registry.queryFilter(
    registry.filters.VersionAdded(undefined, undefined, 0n),
    from,
    latest,
  )) {
    const imageId = log.args.imageId.toString();
    if (replicated.has(imageId)) found.push({ imageId, version: log.args.version.toString(), fragment: 0 });
  }

  const known = new Set([...state.done, ...state.pending.map(taskKey)]);
  const pending = [...state.pending];
  for (const task of found) {
    if (known.has(taskKey(task))) continue;
    known.add(taskKey(task));
    pending.push(task);
  }
  const cursorHash = (await provider.getBlock(latest))?.hash ?? undefined;
  return {
    state: {
      ...state,
      cursor: latest,
      ...(cursorHash === undefined ? {} : { cursorHash }),
      pending,
      replicated: [...replicated],
    },
  };
}
