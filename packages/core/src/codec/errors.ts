import { DispError } from "@disp/protocol";

import type { RejectedFragment } from "./codec.js";

/** Why the codec layer refused an input or could not rebuild anything. */
export type CodecErrorCode =
  | "CODEC_INPUT_MISMATCH"
  | "CODEC_FALLBACK_TOO_LARGE"
  | "CODEC_SEALED"
  | "FILE_EMPTY"
  | "FILE_TOO_LARGE"
  | "NO_FRAGMENTS";

/**
 * CODEC_INPUT_MISMATCH: a codec asked for by name that cannot take this file (the jpeg codec on a
 * PNG). CODEC_FALLBACK_TOO_LARGE: "auto" would store a JPEG its coefficient codec cannot take
 * through its pixels at more than 1.3× the file (the pixel codec must then be asked for). CODEC_SEALED:
 * a private version's fragments handed to a codec undecrypted. FILE_EMPTY, FILE_TOO_LARGE: a file the file codec does not keep (nothing, or more than its
 * limit). NO_FRAGMENTS: no usable fragment, so nothing can be rebuilt or estimated; `rejected` says
 * which files were there but failed their checks.
 */
export class CodecError extends DispError {
  declare readonly code: CodecErrorCode;
  readonly rejected: readonly RejectedFragment[];

  constructor(
    code: CodecErrorCode,
    message: string,
    rejected: readonly RejectedFragment[] = [],
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.rejected = rejected;
  }
}

/** The NO_FRAGMENTS error, naming the rejected files so the caller can report them. */
export function noFragments(rejected: readonly RejectedFragment[], cause?: unknown): CodecError {
  const detail = rejected.map(({ index, reason }) => `fragment ${index} ${reason}`).join("; ");
  return new CodecError(
    "NO_FRAGMENTS",
    `no usable fragment: nothing to rebuild the image from${detail === "" ? "" : ` (${detail})`}`,
    rejected,
    cause === undefined ? undefined : { cause },
  );
}
