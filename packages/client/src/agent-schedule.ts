/** A task ready to start, with the registrant (image owner) it is done for. */
export interface Candidate<T> {
  readonly task: T;
  readonly registrant: string;
}

/**
 * Which of `candidates` (in their pending order) start in the `free` slots, fairly per registrant:
 * the registrant with the fewest tasks running goes first, round robin among equals (the one served
 * longest ago first, as `served` records), and a registrant that already runs a task never takes the
 * last free slot. So one registrant's many tasks, however slow, leave a slot for the next registrant,
 * whose task waits for at most one other to start.
 */
export function pickFair<T>(
  candidates: readonly Candidate<T>[],
  running: ReadonlyMap<string, number>,
  free: number,
  served: Map<string, number>,
): Candidate<T>[] {
  const queues = new Map<string, Candidate<T>[]>();
  for (const candidate of candidates) {
    const queue = queues.get(candidate.registrant) ?? [];
    queue.push(candidate);
    queues.set(candidate.registrant, queue);
  }
  const load = new Map(running);
  let clock = Math.max(0, ...served.values());
  const picked: Candidate<T>[] = [];
  for (let slots = free; slots > 0; slots--) {
    let best: string | undefined;
    for (const [registrant, queue] of queues) {
      const busy = load.get(registrant) ?? 0;
      if (queue.length === 0 || (busy > 0 && slots === 1)) continue;
      if (best === undefined || isBefore(registrant, best, load, served)) best = registrant;
    }
    if (best === undefined) break;
    const next = queues.get(best)?.shift();
    if (next === undefined) break;
    picked.push(next);
    load.set(best, (load.get(best) ?? 0) + 1);
    served.set(best, ++clock);
  }
  return picked;
}

/** Fewer tasks running first, then the one served longest ago (never served: first of all). */
function isBefore(
  a: string,
  b: string,
  load: ReadonlyMap<string, number>,
  served: ReadonlyMap<string, number>,
): boolean {
  const byLoad = (load.get(a) ?? 0) - (load.get(b) ?? 0);
  if (byLoad !== 0) return byLoad < 0;
  return (served.get(a) ?? -1) < (served.get(b) ?? -1);
}
