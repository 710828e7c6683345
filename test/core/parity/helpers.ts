import { fixtureBytes } from "../helpers.js";

/** Digits of pi: uneven, deterministic weights, so the shards differ in length as fragments do. */
const WEIGHTS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3];

/** A fixture file cut into k consecutive chunks of unequal lengths. */
export function unequalChunks(name: string, k: number): Uint8Array[] {
  const bytes = fixtureBytes(name);
  const weights = Array.from({ length: k }, (_, i) => WEIGHTS[i % WEIGHTS.length] ?? 1);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const chunks: Uint8Array[] = [];
  let start = 0;
  let weightSoFar = 0;
  for (const weight of weights) {
    weightSoFar += weight;
    const end = Math.floor((bytes.length * weightSoFar) / total);
    chunks.push(bytes.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Every subset of 0..n-1 with at most `size` members, smallest first. */
export function subsetsUpTo(n: number, size: number): number[][] {
  const out: number[][] = [[]];
  for (let s = 1; s <= size; s++) {
    const pick = (from: number, chosen: number[]): void => {
      if (chosen.length === s) {
        out.push(chosen);
        return;
      }
      for (let i = from; i < n; i++) pick(i + 1, [...chosen, i]);
    };
    pick(0, []);
  }
  return out;
}

/** The k + m shards with the given indices lost. */
export function withLost(
  data: readonly Uint8Array[],
  parity: readonly Uint8Array[],
  lost: readonly number[],
): (Uint8Array | undefined)[] {
  return [...data, ...parity].map((shard, i) => (lost.includes(i) ? undefined : shard));
}
