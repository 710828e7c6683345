import { setTimeout as delay } from "node:timers/promises";

import type { ChainContext } from "./context.js";
import type { Challenges } from "./registry/index.js";
import { repairSlot, type RepairOptions, type RepairResult } from "./repair.js";

export interface RepairWatcher {
  /** Repairs every slot a RepairNeeded event named since the last poll and whose node still holds it. */
  poll(): Promise<RepairResult[]>;
  /** Polls every `intervalMs` until `signal` fires; each repair goes to `onRepair`. */
  run(signal: AbortSignal, intervalMs: number, onRepair: (result: RepairResult) => void): Promise<void>;
}

/**
 * The community manager's side of the storage challenges: it follows the challenge contract's
 * RepairNeeded events and gives each slot whose node missed twice in a row to a free node
 * (`repairSlot`), whose agent rebuilds the shard from the others. The registry in `context` must
 * be connected with the manager's signer. A slot already given to another node since the event is
 * left alone, so a restarted watcher never replaces a repaired slot twice.
 */
export function watchRepairs(
  context: ChainContext,
  challenges: Challenges,
  options: { readonly fromBlock: number; readonly repair?: RepairOptions },
): RepairWatcher {
  let cursor = options.fromBlock;
  async function poll(): Promise<RepairResult[]> {
    const head = await context.registry.blockNumber();
    if (head <= cursor) return [];
    const needed = await challenges.repairsNeeded(cursor + 1, head);
    cursor = head;
    const results: RepairResult[] = [];
    for (const { communityId, slot, node } of needed) {
      const members = await context.registry.communityMembers(communityId);
      if (members[slot]?.toLowerCase() !== node.toLowerCase()) continue;
      results.push(await repairSlot(context, communityId, slot, options.repair));
    }
    return results;
  }
  return {
    poll,
    async run(signal, intervalMs, onRepair) {
      while (!signal.aborted) {
        for (const result of await poll()) onRepair(result);
        await delay(intervalMs, undefined, { signal }).catch(() => undefined);
      }
    },
  };
}
