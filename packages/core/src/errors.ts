import { DispError } from "@disp/protocol";

/** Why an image file was refused before or while decoding it. */
export type ImageErrorCode =
  | "IMAGE_EMPTY"
  | "IMAGE_UNKNOWN_FORMAT"
  | "IMAGE_CORRUPT"
  | "IMAGE_TOO_LARGE"
  | "IMAGE_UNSUPPORTED"
  | "IMAGE_METADATA_TOO_LARGE";

/** An input image that cannot be decoded safely (a user mistake, never a bug). */
export class ImageError extends DispError {
  declare readonly code: ImageErrorCode;

  // Not useless: it narrows `code` to this class's codes.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: ImageErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Why pooling parameters or fragments were refused. */
export type PoolingErrorCode = "KERNEL_INVALID" | "FRAGMENTS_INVALID" | "FRAGMENTS_NONE_PRESENT";

/** Bad pooling input: a kernel out of range, fragments of the wrong shape, or none at all. */
export class PoolingError extends DispError {
  declare readonly code: PoolingErrorCode;

  // Not useless: it narrows `code` to this class's codes.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: PoolingErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
