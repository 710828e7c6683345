import { initialState, taskKey, type AgentState, type PinTask } from "./agent-state.js";
import type { Registry } from "./registry/index.js";

/**
 * Log pages (of the registry's `maxLogRange` blocks each) read per pass, forward from the cursor
 * and, after joining a community, backward over what it stored before: a pass stays short however
 * far behind the agent is, and the next pass goes on from the progress kept in the state.
 */
export const PAGES_PER_PASS = 4;

/**
 * Turns the events since the agent's cursor into pin tasks for `node`:
 * - images and versions stored with its community (it keeps fragment `slot`), including, once it
 *   joined the community (formation or replacement), everything stored there before, read back to
 *   the community's formation block a few pages per pass;
 * - replicated images naming it (every version so far), and later versions of those.
 * Tasks already pending or done are not added twice, except those of a new assignment: a node put
 * back in a slot or a replica it held before owes them again (its old receipts no longer count).
 */
export async function collectTasks(
  registry: Registry,
  node: string,
  state: AgentState,
  fromBlock: number,
): Promise<CollectedTasks> {
  let restarted = false;
  // Done tasks a new assignment owes again (a node back in a slot or a replica it held before).
  const renewed = new Set<string>();
  // A cursor block whose hash changed belongs to another chain (a restarted local node) or was
  // reorganised away: what the state remembers is no longer true, so start over.
  if (state.cursor >= fromBlock && state.cursorHash !== undefined) {
    if ((await registry.blockHash(state.cursor)) !== state.cursorHash) {
      state = initialState(fromBlock);
      restarted = true;
    }
  }
  const head = await registry.blockNumber();
  const info = await registry.nodeInfo(node);
  // A fresh agent of an opted-in node starts where the node opted in, not at the deployment:
  // nothing older concerns it (what its community stored before comes from the backfill below).
  if (state.cursorHash === undefined && info.status !== "none") {
    state = { ...state, cursor: Math.max(state.cursor, (await registry.nodeOptedInBlock(node)) - 1) };
  }
  const from = state.cursor + 1;
  const window = registry.maxLogRange * PAGES_PER_PASS;
  const latest = Math.min(head, from + window - 1);

  const found: PinTask[] = [];
  let { backfill } = state;
  if (info.status === "serving") {
    const { communityId, slot } = info;
    // A node that joined (or moved to another slot, or was put back in one) owes its slot for
    // everything stored before, even what it confirmed in an earlier assignment.
    const assignedBlock = await registry.nodeAssignedBlock(node);
    if (
      backfill?.communityId !== communityId.toString() ||
      backfill.slot !== slot ||
      backfill.assignedBlock !== assignedBlock
    ) {
      const formed = await registry.communityFormedBlock(communityId);
      backfill = { communityId: communityId.toString(), slot, assignedBlock, from: formed, next: from - 1 };
      for (const key of state.done) if (key.endsWith(`:${slot}`)) renewed.add(key);
    }
    if (backfill.next >= backfill.from) {
      const start = Math.max(backfill.from, backfill.next - window + 1);
      found.push(...(await communityTasks(registry, communityId, slot, start, backfill.next)));
      backfill = { ...backfill, next: start - 1 };
    }
    if (from <= latest) found.push(...(await communityTasks(registry, communityId, slot, from, latest)));
  }

  const replicated = new Set(state.replicated);
  if (from <= latest) {
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
  }

  const done = state.done.filter((key) => !renewed.has(key));
  const known = new Set([...done, ...state.pending.map(taskKey)]);
  const pending = [...state.pending];
  for (const task of found) {
    if (known.has(taskKey(task))) continue;
    known.add(taskKey(task));
    pending.push(task);
  }
  const advanced = from <= latest;
  const cursorHash = advanced ? await registry.blockHash(latest) : state.cursorHash;
  return {
    state: {
      ...state,
      cursor: advanced ? latest : state.cursor,
      ...(cursorHash === undefined ? {} : { cursorHash }),
      ...(backfill === undefined ? {} : { backfill }),
      pending,
      done,
      replicated: [...replicated],
    },
    restarted,
    renewed: [...renewed],
  };
}

/** What one pass over new blocks found. */
export interface CollectedTasks {
  /** The state with the new tasks pending, the cursor moved on and renewed tasks out of `done`. */
  readonly state: AgentState;
  /** The remembered cursor belonged to another chain: `state` started over from a fresh one. */
  readonly restarted: boolean;
  /** Keys taken out of `done` because a new assignment owes them again. */
  readonly renewed: readonly string[];
}

/** The tasks of slot `slot` for the images and versions stored with the community in the range. */
async function communityTasks(
  registry: Registry,
  communityId: bigint,
  slot: number,
  fromBlock: number,
  toBlock: number,
): Promise<PinTask[]> {
  const tasks: PinTask[] = [];
  for (const imageId of await registry.imagesRegisteredWith(communityId, fromBlock, toBlock)) {
    tasks.push({ imageId: imageId.toString(), version: "1", fragment: slot });
  }
  for (const { imageId, version } of await registry.versionsAddedWith(communityId, fromBlock, toBlock)) {
    tasks.push({ imageId: imageId.toString(), version: version.toString(), fragment: slot });
  }
  return tasks;
}
