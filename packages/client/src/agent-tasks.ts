import { initialState, taskKey, type AgentState, type PinTask } from "./agent-state.js";
import type { Registry } from "./registry/index.js";

/** Blocks read per pass: public RPC providers cap the range of one `eth_getLogs`. */
export const MAX_BLOCKS_PER_PASS = 5000;

/**
 * Turns the events since the agent's cursor into pin tasks for `node`:
 * - images and versions stored with its community (it keeps fragment `slot`), including, when it
 *   joined the community in this range (formation or replacement), everything stored there before;
 * - replicated images naming it (every version so far), and later versions of those.
 * Tasks already pending or done are not added twice, except those of a new assignment: a node put
 * back in a slot or a replica it held before owes them again (its old receipts no longer count).
 */
export async function collectTasks(
  registry: Registry,
  node: string,
  state: AgentState,
  fromBlock: number,
): Promise<{ state: AgentState }> {
  // A cursor block whose hash changed belongs to another chain (a restarted local node) or was
  // reorganised away: what the state remembers is no longer true, so start over.
  if (state.cursor >= fromBlock && state.cursorHash !== undefined) {
    if ((await registry.blockHash(state.cursor)) !== state.cursorHash) state = initialState(fromBlock);
  }
  const head = await registry.blockNumber();
  const from = state.cursor + 1;
  if (from > head) return { state };
  const latest = Math.min(head, from + MAX_BLOCKS_PER_PASS - 1);

  const found: PinTask[] = [];
  const renewed = new Set<string>();
  const info = await registry.nodeInfo(node);
  if (info.status === "serving") {
    const { communityId, slot } = info;
    // A node that just joined owes its slot for everything the community already keeps.
    const joined = await registry.joinedCommunity(communityId, node, from, latest);
    const since = joined ? fromBlock : from;
    const slotTasks: PinTask[] = [];
    for (const imageId of await registry.imagesRegisteredWith(communityId, since, latest)) {
      slotTasks.push({ imageId: imageId.toString(), version: "1", fragment: slot });
    }
    for (const { imageId, version } of await registry.versionsAddedWith(communityId, since, latest)) {
      slotTasks.push({ imageId: imageId.toString(), version: version.toString(), fragment: slot });
    }
    found.push(...slotTasks);
    if (joined) for (const task of slotTasks) renewed.add(taskKey(task));
  }

  const replicated = new Set(state.replicated);
  for (const imageId of await registry.replicaAssignments(node, from, latest)) {
    replicated.add(imageId.toString());
    const { versionCount } = await registry.imageInfo(imageId);
    for (let version = 1n; version <= versionCount; version++) {
      const task = { imageId: imageId.toString(), version: version.toString(), fragment: 0 };
      found.push(task);
      renewed.add(taskKey(task));
    }
  }
  for (const { imageId, version } of await registry.versionsAddedWith(0n, from, latest)) {
    const id = imageId.toString();
    if (replicated.has(id)) found.push({ imageId: id, version: version.toString(), fragment: 0 });
  }

  const done = state.done.filter((key) => !renewed.has(key));
  const known = new Set([...done, ...state.pending.map(taskKey)]);
  const pending = [...state.pending];
  for (const task of found) {
    if (known.has(taskKey(task))) continue;
    known.add(taskKey(task));
    pending.push(task);
  }
  const cursorHash = await registry.blockHash(latest);
  return {
    state: {
      ...state,
      cursor: latest,
      ...(cursorHash === undefined ? {} : { cursorHash }),
      pending,
      done,
      replicated: [...replicated],
    },
  };
}
