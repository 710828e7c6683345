/**
 * Every error DISP throws on purpose carries a stable `code`, so callers (and the CLI) can tell a
 * user mistake from a bug without parsing messages. Each package defines its codes in its own
 * `errors.ts`, extending this class.
 */
export class DispError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** True when `error` is a DispError, optionally with the given code. */
export function isDispError(error: unknown, code?: string): error is DispError {
  return error instanceof DispError && (code === undefined || error.code === code);
}

/** Why an image file was refused before or while decoding it. */
export type ImageErrorCode =
  "IMAGE_EMPTY" | "IMAGE_UNKNOWN_FORMAT" | "IMAGE_CORRUPT" | "IMAGE_TOO_LARGE" | "IMAGE_UNSUPPORTED";

/** An input image that cannot be decoded safely (a user mistake, never a bug). */
export class ImageError extends DispError {
  declare readonly code: ImageErrorCode;

  // Not useless: it narrows `code` to this class's codes.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: ImageErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** A manifest that fails validation; the message carries the reason. */
export class ManifestError extends DispError {
  declare readonly code: "MANIFEST_INVALID";

  constructor(message: string, options?: ErrorOptions) {
    super("MANIFEST_INVALID", message, options);
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
