/**
 * Every error DISP throws on purpose carries a stable `code`, so callers (and the CLI) can tell a
 * user mistake from a bug without parsing messages. Each package defines its codes in its own
 * `errors.ts`, extending this class; this package's own codes are `ProtocolErrorCode`.
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

/** The codes this package throws. */
export type ProtocolErrorCode = "MANIFEST_INVALID";

/** A manifest that fails validation; the message carries the reason. */
export class ManifestError extends DispError {
  declare readonly code: "MANIFEST_INVALID";

  constructor(message: string, options?: ErrorOptions) {
    super("MANIFEST_INVALID", message, options);
  }
}
