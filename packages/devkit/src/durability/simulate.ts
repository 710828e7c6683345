import FlatQueue from "flatqueue";

import { DurabilityParamsError } from "./errors.js";
import {
  HOURS_PER_YEAR,
  checkFits,
  checkNetwork,
  checkScheme,
  repairHours,
  type NetworkParams,
  type Scheme,
} from "./params.js";
import { createRandom } from "./random.js";

export interface SimulationOptions {
  readonly scheme: Scheme;
  readonly network: NetworkParams;
  /** Objects followed through the run; each is stored again at once when lost. */
  readonly objects: number;
  readonly years: number;
  readonly seed: number;
}

/** What one seeded run counted: every figure here is sampled, none computed. */
export interface SimulatedDurability {
  readonly objectYears: number;
  readonly losses: number;
  readonly lossRatePerYear: number;
  /** 95 % interval of the loss rate (Poisson; rule of three when nothing was lost). */
  readonly lossRateInterval: readonly [number, number];
  readonly repairs: number;
  readonly repairBytesPerYear: number;
  readonly repairsPerYear: number;
  /** Times an object had fewer than k reachable shards (a regional outage, or a loss during one). */
  readonly unavailableEvents: number;
  readonly unavailableRatePerYear: number;
  /** unavailableEvents over (outages x objects): the sampled counterpart of the computed fraction. */
  readonly unavailablePerOutage: number;
  readonly nodeLosses: number;
  readonly outages: number;
  readonly events: number;
}

const LIMITS = { objects: 1_000_000, years: 10_000, shards: 20_000_000 };

const HEALTHY = 0;
const LOST = 1; // on a dead node, not yet detected by the challenges
const GONE = 2; // detected (its slot is empty) or dropped with its object

const NODE_LOSS = 0;
const OUTAGE_START = 1;
const OUTAGE_END = 2;
const BOUNDARY = 3;
const REPAIR_DONE = 4;

/**
 * Event-driven Monte Carlo of one scheme on one network. Node losses form a Poisson process over
 * all nodes (a lost node is replaced at once by an empty one, so the network keeps its size); every
 * shard on it is lost and missed at the next epoch boundaries; at the missesToRepair-th miss the
 * object is checked against its repair threshold and, if due, every empty slot is rebuilt onto a
 * fresh node of the slot's region after the transfer time. Outages make a region unreachable for
 * a while and lose nothing. Objects start from the steady state of their repair cycle (healthy
 * count i with probability proportional to 1 / i between the threshold and n), so no warm-up is
 * needed.
 */
export function simulateDurability(options: SimulationOptions): SimulatedDurability {
  const { scheme, network, objects, years, seed } = options;
  checkScheme(scheme);
  checkNetwork(network);
  checkFits(scheme, network);
  if (!Number.isInteger(objects) || objects < 1 || objects > LIMITS.objects)
    throw new DurabilityParamsError(`objects must be an integer in [1, ${LIMITS.objects}], got ${objects}`);
  if (!(years > 0 && years <= LIMITS.years))
    throw new DurabilityParamsError(`years must be in (0, ${LIMITS.years}], got ${years}`);
  if (objects * scheme.n > LIMITS.shards)
    throw new DurabilityParamsError(
      `objects x n must not exceed ${LIMITS.shards}, got ${objects * scheme.n}`,
    );
  const { k, n, repairThreshold: threshold } = scheme;
  const { nodes, regions, epochHours, missesToRepair } = network;
  const spread = network.placement === "spread";
  const perRegion = nodes / regions;
  if (spread && Math.ceil(n / regions) > perRegion)
    throw new DurabilityParamsError(
      `${scheme.name} needs ${Math.ceil(n / regions)} nodes per region, regions have ${perRegion}`,
    );
  const random = createRandom(seed);
  const horizon = years * HOURS_PER_YEAR;
  const shardBytes = network.objectBytes / k;
  const repairable = threshold >= k;

  const nodeShards: number[][] = Array.from({ length: nodes }, () => []);
  const shardObject: number[] = [];
  const shardSlot: number[] = [];
  const shardNode: number[] = [];
  const shardState: number[] = [];
  const slots = new Int32Array(objects * n).fill(-1);
  const healthy = new Int32Array(objects);
  const firstRegion = new Int32Array(objects);
  const repairPending = new Uint8Array(objects);
  const generation = new Int32Array(objects);
  const down = new Int32Array(regions);
  let outagesActive = 0;
  const detections = new Map<number, number[]>();
  const stats = {
    losses: 0,
    repairs: 0,
    repairBytes: 0,
    unavailable: 0,
    nodeLosses: 0,
    outages: 0,
    events: 0,
  };

  const queue = new FlatQueue<number>();
  const eventKind: number[] = [];
  const eventA: number[] = [];
  const eventB: number[] = [];
  const freeEvents: number[] = [];
  const schedule = (time: number, kind: number, a = 0, b = 0): void => {
    if (time >= horizon) return;
    const id = freeEvents.pop() ?? eventKind.length;
    eventKind[id] = kind;
    eventA[id] = a;
    eventB[id] = b;
    queue.push(id, time);
  };

  const usesNode = (object: number, node: number): boolean => {
    for (let slot = 0; slot < n; slot++) {
      const shard = slots[object * n + slot] ?? -1;
      if (shard >= 0 && shardNode[shard] === node) return true;
    }
    return false;
  };
  const place = (object: number, slot: number): void => {
    const region = (firstRegion[object] ?? 0) + slot;
    let node: number;
    do node = spread ? (region % regions) + regions * random.int(perRegion) : random.int(nodes);
    while (usesNode(object, node));
    const shard = shardState.length;
    shardObject.push(object);
    shardSlot.push(slot);
    shardNode.push(node);
    shardState.push(HEALTHY);
    nodeShards[node]?.push(shard);
    slots[object * n + slot] = shard;
  };
  const dropShards = (object: number): void => {
    for (let slot = 0; slot < n; slot++) {
      const shard = slots[object * n + slot] ?? -1;
      if (shard >= 0) shardState[shard] = GONE;
      slots[object * n + slot] = -1;
    }
  };
  const storeObject = (object: number, level: number): void => {
    firstRegion[object] = random.int(regions);
    for (let slot = 0; slot < n; slot++) place(object, slot);
    for (let missing = n - level; missing > 0;) {
      const slot = random.int(n);
      const shard = slots[object * n + slot] ?? -1;
      if (shard < 0) continue;
      shardState[shard] = GONE;
      slots[object * n + slot] = -1;
      missing--;
    }
    healthy[object] = level;
  };
  const reachable = (object: number): number => {
    let count = 0;
    for (let slot = 0; slot < n; slot++) {
      const shard = slots[object * n + slot] ?? -1;
      if (shard >= 0 && shardState[shard] === HEALTHY && down[(shardNode[shard] ?? 0) % regions] === 0)
        count++;
    }
    return count;
  };

  // Steady-state start: between repairs the object spends time ∝ 1 / i at i healthy shards.
  const levels = repairable ? Array.from({ length: n - threshold }, (_, i) => threshold + 1 + i) : [n];
  const weights = levels.map((level) => 1 / level);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const drawLevel = (): number => {
    let u = random.next() * totalWeight;
    for (let i = 0; i < levels.length; i++) {
      u -= weights[i] ?? 0;
      if (u < 0) return levels[i] ?? n;
    }
    return n;
  };
  for (let object = 0; object < objects; object++) storeObject(object, drawLevel());

  const lambdaAll = (nodes * network.nodeLossesPerYear) / HOURS_PER_YEAR;
  if (lambdaAll > 0) schedule(random.exponential(lambdaAll), NODE_LOSS);
  const outageRate = network.outagesPerYear / HOURS_PER_YEAR;
  if (outageRate > 0) schedule(random.exponential(outageRate), OUTAGE_START);
  schedule(epochHours, BOUNDARY, 1);

  const loseNode = (time: number): void => {
    stats.nodeLosses++;
    const node = random.int(nodes);
    const held = nodeShards[node] ?? [];
    nodeShards[node] = [];
    const boundary = Math.floor(time / epochHours) + missesToRepair;
    const nodeDown = (down[node % regions] ?? 0) > 0;
    for (const shard of held) {
      if (shardState[shard] !== HEALTHY) continue;
      shardState[shard] = LOST;
      const object = shardObject[shard] ?? 0;
      const left = (healthy[object] ?? 0) - 1;
      healthy[object] = left;
      if (left < k) {
        stats.losses++;
        dropShards(object);
        generation[object] = (generation[object] ?? 0) + 1;
        repairPending[object] = 0;
        storeObject(object, n);
        continue;
      }
      const list = detections.get(boundary);
      if (list) list.push(shard);
      else detections.set(boundary, [shard]);
      if (outagesActive > 0 && !nodeDown && reachable(object) === k - 1) stats.unavailable++;
    }
    schedule(time + random.exponential(lambdaAll), NODE_LOSS);
  };

  const startRepair = (object: number, time: number): void => {
    let missing = 0;
    for (let slot = 0; slot < n; slot++) if ((slots[object * n + slot] ?? 0) < 0) missing++;
    repairPending[object] = 1;
    schedule(time + repairHours(scheme, network, missing), REPAIR_DONE, object, generation[object]);
  };

  const detect = (boundary: number, time: number): void => {
    const list = detections.get(boundary) ?? [];
    detections.delete(boundary);
    for (const shard of list) {
      if (shardState[shard] !== LOST) continue;
      shardState[shard] = GONE;
      const object = shardObject[shard] ?? 0;
      slots[object * n + (shardSlot[shard] ?? 0)] = -1;
      const left = healthy[object] ?? 0;
      if (repairable && repairPending[object] === 0 && left <= threshold && left >= k)
        startRepair(object, time);
    }
    schedule((boundary + 1) * epochHours, BOUNDARY, boundary + 1);
  };

  const finishRepair = (object: number, forGeneration: number): void => {
    if (generation[object] !== forGeneration) return; // lost and stored again meanwhile
    let rebuilt = 0;
    for (let slot = 0; slot < n; slot++) {
      if ((slots[object * n + slot] ?? 0) >= 0) continue;
      place(object, slot);
      rebuilt++;
    }
    healthy[object] = (healthy[object] ?? 0) + rebuilt;
    repairPending[object] = 0;
    stats.repairs++;
    stats.repairBytes += (k + rebuilt) * shardBytes;
  };

  const startOutage = (time: number): void => {
    stats.outages++;
    const region = random.int(regions);
    const wasDown = (down[region] ?? 0) > 0;
    down[region] = (down[region] ?? 0) + 1;
    outagesActive++;
    schedule(time + network.outageHours, OUTAGE_END, region);
    schedule(time + random.exponential(outageRate), OUTAGE_START);
    if (wasDown) return;
    for (let object = 0; object < objects; object++) {
      if ((healthy[object] ?? 0) < k) continue;
      let inRegion = 0;
      for (let slot = 0; slot < n; slot++) {
        const shard = slots[object * n + slot] ?? -1;
        if (shard >= 0 && shardState[shard] === HEALTHY && (shardNode[shard] ?? 0) % regions === region)
          inRegion++;
      }
      const after = reachable(object);
      if (after < k && after + inRegion >= k) stats.unavailable++;
    }
  };

  for (;;) {
    const time = queue.peekValue();
    const id = queue.pop();
    if (time === undefined || id === undefined) break;
    stats.events++;
    const kind = eventKind[id];
    const a = eventA[id] ?? 0;
    const b = eventB[id] ?? 0;
    freeEvents.push(id);
    if (kind === NODE_LOSS) loseNode(time);
    else if (kind === OUTAGE_START) startOutage(time);
    else if (kind === OUTAGE_END) {
      down[a] = (down[a] ?? 1) - 1;
      outagesActive--;
    } else if (kind === BOUNDARY) detect(a, time);
    else if (kind === REPAIR_DONE) finishRepair(a, b);
  }

  const objectYears = objects * years;
  const rate = stats.losses / objectYears;
  const halfWidth = (1.96 * Math.sqrt(stats.losses)) / objectYears;
  return {
    objectYears,
    losses: stats.losses,
    lossRatePerYear: rate,
    lossRateInterval:
      stats.losses === 0 ? [0, 3 / objectYears] : [Math.max(0, rate - halfWidth), rate + halfWidth],
    repairs: stats.repairs,
    repairsPerYear: stats.repairs / objectYears,
    repairBytesPerYear: stats.repairBytes / objectYears,
    unavailableEvents: stats.unavailable,
    unavailableRatePerYear: stats.unavailable / objectYears,
    unavailablePerOutage: stats.outages === 0 ? 0 : stats.unavailable / (stats.outages * objects),
    nodeLosses: stats.nodeLosses,
    outages: stats.outages,
    events: stats.events,
  };
}
