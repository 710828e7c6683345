import { DurabilityParamsError } from "./errors.js";

/** Hours in a year of 365.25 days: every rate in the model is per year, every duration in hours. */
export const HOURS_PER_YEAR = 8766;

/**
 * How one object is kept: `n` shards on `n` distinct nodes, any `k` of which rebuild it. When the
 * network learns of a lost shard and the object has `repairThreshold` healthy shards or fewer (and
 * still at least `k`), every missing shard is rebuilt from `k` others. `repairThreshold = n - 1`
 * repairs each loss (DISP, replication); lower values repair lazily (Storj, Sia). `n = k` has no
 * redundancy and cannot repair.
 */
export interface Scheme {
  readonly name: string;
  readonly k: number;
  readonly n: number;
  readonly repairThreshold: number;
  /** Where the parameters come from. */
  readonly source: string;
}

/** The network the objects live in: node churn, regional outages, challenges and repair. */
export interface NetworkParams {
  /** Storage nodes, spread evenly over `regions` (a region stands for a region or a provider). */
  readonly nodes: number;
  readonly regions: number;
  /** Permanent node losses (disk dies, operator leaves) per node per year, independent. */
  readonly nodeLossesPerYear: number;
  /** Regional outages per year: every node of one random region unreachable, then back. */
  readonly outagesPerYear: number;
  readonly outageHours: number;
  /** Challenge period: a lost shard misses the challenge at the next epoch boundary. */
  readonly epochHours: number;
  /** Misses in a row before repair is triggered (the registry emits RepairNeeded on the second). */
  readonly missesToRepair: number;
  /** What one repair moves per second: it reads k shards and writes the rebuilt ones. */
  readonly repairMbitPerSecond: number;
  /** Size of one object (an image); a shard holds objectBytes / k. */
  readonly objectBytes: number;
  /** "spread": an object's shards go round-robin over regions (at most ceil(n / regions) per region). */
  readonly placement: "spread" | "random";
}

const MIB = 2 ** 20;

/** The schemes compared: DISP's own and the anchors' published parameters. */
export const SCHEMES: readonly Scheme[] = [
  { name: "DISP 2x2", k: 4, n: 4, repairThreshold: 3, source: "2x2 kernel, 4 fragments, no parity" },
  { name: "DISP 4+2", k: 4, n: 6, repairThreshold: 5, source: "2x2 kernel + 2 Reed-Solomon shards" },
  { name: "DISP 4+4", k: 4, n: 8, repairThreshold: 7, source: "2x2 kernel + 4 Reed-Solomon shards" },
  { name: "3x replication", k: 1, n: 3, repairThreshold: 2, source: "full replication, r = 3" },
  { name: "4x replication", k: 1, n: 4, repairThreshold: 3, source: "full replication, r = 4" },
  {
    name: "Storj 29/35/80/110",
    k: 29,
    n: 80,
    repairThreshold: 35,
    source: "Storj: k 29, repair at 35, 80 kept of 110 started",
  },
  {
    name: "Sia 10/30",
    k: 10,
    n: 30,
    repairThreshold: 24,
    source: "Sia: 10 of 30; renterd migrates a slab below health 0.75, i.e. at 24 good shards",
  },
];

/** The network of `pnpm simulate:durability`: volunteer nodes, daily challenges. */
export const VOLUNTEER_NETWORK: NetworkParams = {
  nodes: 10_000,
  regions: 8,
  nodeLossesPerYear: 0.24,
  outagesPerYear: 4,
  outageHours: 24,
  epochHours: 24,
  missesToRepair: 2,
  repairMbitPerSecond: 20,
  objectBytes: 4 * MIB,
  placement: "spread",
};

const LIMITS = { nodes: 1_000_000, regions: 1_000, shards: 1_000 };

function check(condition: boolean, message: string): void {
  if (!condition) throw new DurabilityParamsError(message);
}

function positive(value: number, what: string): void {
  check(Number.isFinite(value) && value > 0, `${what} must be a positive number, got ${value}`);
}

function count(value: number, what: string, min: number, max: number): void {
  check(
    Number.isInteger(value) && value >= min && value <= max,
    `${what} must be an integer in [${min}, ${max}], got ${value}`,
  );
}

export function checkScheme(scheme: Scheme): void {
  count(scheme.k, `${scheme.name}: k`, 1, LIMITS.shards);
  count(scheme.n, `${scheme.name}: n`, scheme.k, LIMITS.shards);
  count(scheme.repairThreshold, `${scheme.name}: repairThreshold`, 0, scheme.n - 1);
}

export function checkNetwork(network: NetworkParams): void {
  count(network.nodes, "nodes", 1, LIMITS.nodes);
  count(network.regions, "regions", 1, LIMITS.regions);
  count(network.missesToRepair, "missesToRepair", 1, 100);
  check(
    network.nodes % network.regions === 0,
    `nodes (${network.nodes}) must split evenly over ${network.regions} regions`,
  );
  check(
    network.nodeLossesPerYear >= 0 && Number.isFinite(network.nodeLossesPerYear),
    "nodeLossesPerYear must be >= 0",
  );
  check(
    network.outagesPerYear >= 0 && Number.isFinite(network.outagesPerYear),
    "outagesPerYear must be >= 0",
  );
  for (const key of ["outageHours", "epochHours", "repairMbitPerSecond", "objectBytes"] as const) {
    positive(network[key], key);
  }
  // An outage long enough to be missed missesToRepair times in a row would trigger repairs of
  // every shard in the region (and a repair storm): this model does not cover that case.
  check(
    network.outageHours <= (network.missesToRepair - 1) * network.epochHours || network.outagesPerYear === 0,
    `outageHours (${network.outageHours}) must not exceed (missesToRepair - 1) x epochHours: outages that trigger repair are not modelled`,
  );
  check(
    network.placement === "spread" || network.placement === "random",
    `unknown placement ${network.placement}`,
  );
}

export function checkFits(scheme: Scheme, network: NetworkParams): void {
  check(
    scheme.n <= network.nodes,
    `${scheme.name} needs ${scheme.n} distinct nodes, the network has ${network.nodes}`,
  );
}

/** Hours one repair takes: k shards read and `rebuilt` written at the repair bandwidth. */
export function repairHours(scheme: Scheme, network: NetworkParams, rebuilt: number): number {
  const bytes = (scheme.k + rebuilt) * (network.objectBytes / scheme.k);
  return (bytes * 8) / (network.repairMbitPerSecond * 1e6) / 3600;
}

/** Shards rebuilt by one repair when it is triggered at the threshold. */
export function shardsPerRepair(scheme: Scheme): number {
  return scheme.n - scheme.repairThreshold;
}
