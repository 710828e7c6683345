import {
  HOURS_PER_YEAR,
  checkFits,
  checkNetwork,
  checkScheme,
  repairHours,
  shardsPerRepair,
  type NetworkParams,
  type Scheme,
} from "./params.js";

/** The figures the model computes in closed form (no sampling), per object. */
export interface ComputedDurability {
  /** Losses per object-year in the long run (a lost object is stored again at once). */
  readonly lossRatePerYear: number;
  /** 1 - exp(-lossRatePerYear): the chance that a given object is lost within a year. */
  readonly yearlyLossProbability: number;
  /** Times per year the object reaches its repair threshold (each opens one repair window). */
  readonly repairsPerYear: number;
  /** Chance that the object is lost during one repair window. */
  readonly lossPerRepairWindow: number;
  /** Mean hours from a shard's loss to the end of its repair: detection plus transfer. */
  readonly meanWindowHours: number;
  readonly repairBytesPerYear: number;
  /** Share of regional outages that leave the object with fewer than k reachable shards. */
  readonly unavailablePerOutage: number;
  /** Such outages per year. */
  readonly unavailableRatePerYear: number;
  readonly yearlyUnavailableProbability: number;
  /** Bytes stored for one object, and that over the object's size. */
  readonly storedBytes: number;
  readonly expansion: number;
}

/** Quadrature over the phase of a loss within its epoch: midpoints of a fine grid. */
const PHASE_POINTS = 512;

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++)
    logFactorials.push((logFactorials[i - 1] ?? 0) + Math.log(i));
  return logFactorials[n] ?? Number.NaN;
}

function logChoose(n: number, r: number): number {
  return logFactorial(n) - logFactorial(r) - logFactorial(n - r);
}

/** P(X >= atLeast) for X ~ Binomial(trials, p), summed in log space so 1e-300 tails stay exact. */
export function binomialTail(trials: number, p: number, atLeast: number): number {
  if (atLeast <= 0) return 1;
  if (atLeast > trials || p <= 0) return 0;
  if (p >= 1) return 1;
  let sum = 0;
  for (let j = atLeast; j <= trials; j++) {
    sum += Math.exp(logChoose(trials, j) + j * Math.log(p) + (trials - j) * Math.log1p(-p));
  }
  return Math.min(1, sum);
}

/** P(X > limit) for X ~ Hypergeometric(population, successes, draws). */
function hypergeometricAbove(population: number, successes: number, draws: number, limit: number): number {
  let sum = 0;
  for (let x = Math.max(0, limit + 1); x <= Math.min(draws, successes); x++) {
    sum += Math.exp(
      logChoose(successes, x) + logChoose(population - successes, draws - x) - logChoose(population, draws),
    );
  }
  return Math.min(1, sum);
}

/**
 * Fraction of regional outages that leave one object with fewer than k reachable shards, with all
 * n shards healthy: spread placement puts floor or ceil(n / regions) shards in each region.
 */
export function unavailableFraction(scheme: Scheme, network: NetworkParams): number {
  const { k, n } = scheme;
  const { regions, nodes } = network;
  if (network.placement === "random") return hypergeometricAbove(nodes, nodes / regions, n, n - k);
  const base = Math.floor(n / regions);
  const fuller = n % regions;
  return (
    (fuller / regions) * Number(n - base - 1 < k) + ((regions - fuller) / regions) * Number(n - base < k)
  );
}

/**
 * Loss and repair in the long run, by renewal over repair cycles. A cycle: the object falls from n
 * healthy shards to the repair threshold T (from i healthy the next loss comes at rate i * lambda),
 * then a window opens: the loss is caught at the missesToRepair-th epoch boundary after it (so the
 * window depends on where in its epoch the loss fell) and the transfer takes repairHours. The
 * object is lost if at least T - k + 1 of its T healthy shards fail within that window, each with
 * probability 1 - exp(-lambda * window). Without a possible repair (T < k) the object is lost when
 * it falls below k. Exact for n = k; for the others it leaves out chains of overlapping windows,
 * an error of the order of lambda * window (the simulation measures where both can be seen).
 */
export function computeDurability(scheme: Scheme, network: NetworkParams): ComputedDurability {
  checkScheme(scheme);
  checkNetwork(network);
  checkFits(scheme, network);
  const { k, n, repairThreshold: threshold } = scheme;
  const lambda = network.nodeLossesPerYear;
  const shardBytes = network.objectBytes / k;
  const storedBytes = n * shardBytes;
  const unavailablePerOutage = unavailableFraction(scheme, network);
  const unavailableRatePerYear = network.outagesPerYear * unavailablePerOutage;
  const base = {
    storedBytes,
    expansion: n / k,
    unavailablePerOutage,
    unavailableRatePerYear,
    yearlyUnavailableProbability: -Math.expm1(-unavailableRatePerYear),
  };
  /** Years from `from` healthy shards down to `to`, one loss at a time. */
  const fallYears = (from: number, to: number): number => {
    let years = 0;
    for (let i = to + 1; i <= from; i++) years += 1 / (i * lambda);
    return years;
  };
  if (lambda === 0) {
    return {
      ...base,
      lossRatePerYear: 0,
      yearlyLossProbability: 0,
      repairsPerYear: 0,
      lossPerRepairWindow: 0,
      meanWindowHours: 0,
      repairBytesPerYear: 0,
    };
  }
  if (threshold < k) {
    const lossRatePerYear = 1 / fallYears(n, k - 1);
    return {
      ...base,
      lossRatePerYear,
      yearlyLossProbability: -Math.expm1(-lossRatePerYear),
      repairsPerYear: 0,
      lossPerRepairWindow: 1,
      meanWindowHours: 0,
      repairBytesPerYear: 0,
    };
  }
  const transfer = repairHours(scheme, network, shardsPerRepair(scheme));
  const { epochHours: epoch, missesToRepair: misses } = network;
  // Lazy repair: a loss j < missesToRepair epochs before the threshold was reached is still
  // undetected then and is caught j epochs earlier, opening the repair sooner. backEpochs[j] is the
  // chance that the furthest such loss lies j epochs back, with losses at (T + 1) * lambda.
  const quiet = threshold === n - 1 ? 1 : Math.exp((-(threshold + 1) * lambda * epoch) / HOURS_PER_YEAR);
  const backEpochs = Array.from({ length: misses }, (_, j) =>
    j === 0 ? quiet ** (misses - 1) : quiet ** (misses - 1 - j) * (1 - quiet),
  );
  let lossPerRepairWindow = 0;
  let windowSum = 0;
  for (let i = 0; i < PHASE_POINTS; i++) {
    const phase = ((i + 0.5) / PHASE_POINTS) * epoch;
    backEpochs.forEach((weight, back) => {
      const windowHours = (misses - back) * epoch - phase + transfer;
      const p = -Math.expm1((-lambda * windowHours) / HOURS_PER_YEAR);
      lossPerRepairWindow += (weight * binomialTail(threshold, p, threshold - k + 1)) / PHASE_POINTS;
      windowSum += (weight * windowHours) / PHASE_POINTS;
    });
  }
  const cycleYears = fallYears(n, threshold) + windowSum / HOURS_PER_YEAR;
  const repairsPerYear = 1 / cycleYears;
  const lossRatePerYear = lossPerRepairWindow * repairsPerYear;
  return {
    ...base,
    lossRatePerYear,
    yearlyLossProbability: -Math.expm1(-lossRatePerYear),
    repairsPerYear,
    lossPerRepairWindow,
    meanWindowHours: windowSum,
    repairBytesPerYear: repairsPerYear * (k + shardsPerRepair(scheme)) * shardBytes,
  };
}
