import { z } from "zod";

import { fragmentEntrySchema, type FragmentEntry } from "./shard.js";

/**
 * The one parity scheme: systematic Reed–Solomon over GF(2^8), as klauspost/reedsolomon `New(k, m)`
 * with default options computes it (core's parity README says how to recompute it).
 */
export const PARITY_SCHEME = "reed-solomon-gf256-vandermonde@1";

/** GF(2^8) reduced by x^8 + x^4 + x^3 + x^2 + 1 (0x11d), generator 2. */
export const PARITY_FIELD = "gf256/0x11d/2";

/**
 * V · (V[0..k))^-1 with V the (k + m) × k Vandermonde matrix V[r][c] = r^c (0^0 = 1): the top k rows
 * are the identity, so data shards are stored as they are; parity shard p is row k + p.
 */
export const PARITY_MATRIX = "vandermonde-systematic";

/**
 * The most shards (data + parity) of one version: the contract's MAX_COMMUNITY_SIZE, since each
 * shard goes to its own member of the community.
 */
export const MAX_VERSION_SHARDS = 64;

const count = z.int().min(1).max(MAX_VERSION_SHARDS);
const length = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Adds an issue unless there is one data length per data shard and the padded shard length is the
 * longest of them: the rule every parity description (the manifest's section, the codec's params)
 * must keep for another implementation to recompute the parity.
 */
export function checkShardLengths(
  params: { readonly k: number; readonly shardLength: number; readonly dataLengths: readonly number[] },
  ctx: z.RefinementCtx,
): void {
  const { k, shardLength, dataLengths } = params;
  if (dataLengths.length !== k) {
    ctx.addIssue({
      code: "custom",
      path: ["dataLengths"],
      message: `has ${dataLengths.length} entries, not k = ${k}`,
    });
  } else if (Math.max(...dataLengths) !== shardLength) {
    ctx.addIssue({ code: "custom", path: ["shardLength"], message: "must be the longest data length" });
  }
}

/**
 * The manifest's `parity` section. Every length is of the stored shard bytes: the fragment files as
 * stored (ciphertext once they are encrypted, so parity is over what the nodes hold) and the parity
 * files. `shards[p]` is parity shard p, whose `index` is its leaf index k + p.
 */
export const paritySectionSchema = z
  .strictObject({
    scheme: z.literal(PARITY_SCHEME),
    field: z.literal(PARITY_FIELD),
    matrix: z.literal(PARITY_MATRIX),
    /** Data shards: the manifest's fragments, in index order. */
    k: count,
    /** Parity shards: any m of the k + m shards may be lost. */
    m: count,
    /** Length of every parity shard and of the zero-padded data shards: the longest fragment. */
    shardLength: length.min(1),
    /** Each fragment's stored (unpadded) length, in index order: the fragments' `size`. */
    dataLengths: z.array(length),
    shards: z.array(fragmentEntrySchema),
  })
  .superRefine((section, ctx) => {
    const { k, m, shardLength, shards } = section;
    if (k + m > MAX_VERSION_SHARDS) {
      ctx.addIssue({
        code: "custom",
        path: ["m"],
        message: `k + m is ${k + m}, above ${MAX_VERSION_SHARDS}`,
      });
    }
    checkShardLengths(section, ctx);
    if (shards.length !== m) {
      ctx.addIssue({
        code: "custom",
        path: ["shards"],
        message: `has ${shards.length} entries, not m = ${m}`,
      });
    }
    shards.forEach((shard, p) => {
      if (shard.index !== k + p) {
        ctx.addIssue({ code: "custom", path: ["shards", p, "index"], message: `must be ${k + p} (k + p)` });
      }
      if (shard.size !== shardLength) {
        ctx.addIssue({
          code: "custom",
          path: ["shards", p, "size"],
          message: `must be shardLength ${shardLength}`,
        });
      }
    });
  });

export type ParitySection = z.infer<typeof paritySectionSchema>;

/**
 * How a manifest's `parity` section must agree with its fragments; undefined when it does.
 * (The manifest schema runs it, so a parsed manifest always agrees.)
 */
export function parityDisagreement(
  parity: ParitySection,
  fragments: readonly FragmentEntry[],
): { path: (string | number)[]; message: string } | undefined {
  if (parity.k !== fragments.length) {
    return { path: ["parity", "k"], message: `must be the ${fragments.length} fragments` };
  }
  const at = fragments.findIndex((fragment, i) => parity.dataLengths[i] !== fragment.size);
  if (at >= 0) {
    return { path: ["parity", "dataLengths", at], message: `must be fragment ${at}'s size` };
  }
  return undefined;
}

/**
 * Every shard of a version in leaf order: the fragments (indices 0 .. k-1), then the parity shards
 * (k .. k+m-1). A shard's index is its leaf index and its slot in the community.
 */
export function shardEntries(manifest: {
  readonly fragments: readonly FragmentEntry[];
  readonly parity?: { readonly shards: readonly FragmentEntry[] } | null;
}): FragmentEntry[] {
  return [...manifest.fragments, ...(manifest.parity?.shards ?? [])];
}
