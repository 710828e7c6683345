import { checkShardLengths, PARITY_SCHEME } from "@disp/protocol";
import { z } from "zod";

/**
 * Systematic Reed–Solomon over GF(2^8), exactly as klauspost/reedsolomon `New(k, m)` with default
 * options (and Backblaze JavaReedSolomon, rust-rse reed-solomon-erasure) computes it:
 * - field: GF(2^8) reduced by x^8 + x^4 + x^3 + x^2 + 1 (0x11d), generator 2;
 * - matrix: V · (V[0..k))^-1, where V is the (k + m) × k Vandermonde matrix V[r][c] = r^c (0^0 = 1)
 *   and V[0..k) its top k rows, so the top k rows are the identity (data shards are stored as they
 *   are) and parity shard p is row k + p applied byte-wise to the data shards;
 * - padding: every data shard zero-padded at its end to `shardLength`, the longest data shard;
 *   parity shards are `shardLength` bytes; data shards are stored unpadded (`dataLengths`).
 * The name is protocol's: the manifest's `parity` section carries it.
 */
export { PARITY_SCHEME };

/** GF(2^8) has 256 elements, so at most 256 distinct Vandermonde rows: k + m <= 256. */
export const MAX_PARITY_TOTAL_SHARDS = 256;

/**
 * The library copies all k + m padded shards into 32-bit WebAssembly memory at once; 1 GiB keeps
 * far below its 4 GiB address space (an allocation failure there aborts the instance).
 */
export const MAX_PARITY_BYTES = 2 ** 30;

/** What another implementation needs to recompute the parity and rebuild lost data shards. */
export interface ParityParams {
  scheme: typeof PARITY_SCHEME;
  /** Data shards (the codec's fragments), in fragment order. */
  k: number;
  /** Parity shards: any m of the k + m shards may be lost. */
  m: number;
  /** Length of every parity shard and of the zero-padded data shards: the longest data shard. */
  shardLength: number;
  /** Each data shard's true (unpadded) length, in fragment order. */
  dataLengths: number[];
}

const shardCount = z
  .int()
  .min(1)
  .max(MAX_PARITY_TOTAL_SHARDS - 1);
const length = z.int().min(0).max(MAX_PARITY_BYTES);

/** Validates a `ParityParams` record, e.g. the manifest's `parity` section. */
export const parityParamsSchema = z
  .strictObject({
    scheme: z.literal(PARITY_SCHEME),
    k: shardCount,
    m: shardCount,
    shardLength: length.min(1),
    dataLengths: z.array(length),
  })
  .superRefine((params, ctx) => {
    const { k, m, shardLength } = params;
    if (k + m > MAX_PARITY_TOTAL_SHARDS) {
      ctx.addIssue({ code: "custom", message: `k + m is ${k + m}, above ${MAX_PARITY_TOTAL_SHARDS}` });
    }
    if (shardLength * (k + m) > MAX_PARITY_BYTES) {
      ctx.addIssue({
        code: "custom",
        message: `${k + m} shards of ${shardLength} bytes exceed ${MAX_PARITY_BYTES}`,
      });
    }
    checkShardLengths(params, ctx);
  }) satisfies z.ZodType<ParityParams>;
