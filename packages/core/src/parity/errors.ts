import { DispError } from "@disp/protocol";

/**
 * Why parity input was refused:
 * - PARITY_INVALID_PARAMS: k, m, lengths or scheme outside what the scheme and library take
 *   (k + m above 256, m = 0, lengths that disagree with each other).
 * - PARITY_SHARD_LIMIT: k + m above MAX_VERSION_SHARDS (64, the contract's largest community: each
 *   shard needs its own member).
 * - PARITY_INVALID_SHARDS: the wrong number of shards, no data at all, or more bytes than fit.
 * - PARITY_SHARD_LENGTH: a shard whose length is not the one the parameters record for it.
 * - PARITY_TOO_MANY_LOST: more than m shards missing; the caller falls back (approximate recovery).
 * - PARITY_INCONSISTENT: the shards given do not belong together (a parity shard from another
 *   image or altered), seen when more than k shards are present.
 */
export type ParityErrorCode =
  | "PARITY_INVALID_PARAMS"
  | "PARITY_SHARD_LIMIT"
  | "PARITY_INVALID_SHARDS"
  | "PARITY_SHARD_LENGTH"
  | "PARITY_TOO_MANY_LOST"
  | "PARITY_INCONSISTENT";

/** Parity input that cannot be encoded or rebuilt exactly (bad data, never a bug). */
export class ParityError extends DispError {
  declare readonly code: ParityErrorCode;

  // Not useless: it narrows `code` to this class's codes.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: ParityErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
