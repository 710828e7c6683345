import { IpfsError, isIpfsError, messageOf } from "./errors.js";

/** How long an operation that may go to the network may take. */
export interface ReadOptions {
  /** Cancels the operation: it then fails with `IPFS_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Gives up after this many milliseconds with `IPFS_TIMEOUT` (default: the node's `timeoutMs`). */
  readonly timeoutMs?: number;
}

/** Turns an error that is neither a timeout nor an abort into an IpfsError. */
export type Classify = (error: unknown) => IpfsError;

/**
 * Runs `work` with a signal that fires at the caller's abort or after the timeout, whichever comes
 * first, and settles by then even if the library underneath ignores the signal: a missing block must
 * never hang a read. Errors become IpfsErrors: `IPFS_ABORTED`, `IPFS_TIMEOUT`, or `classify(error)`.
 */
export async function withDeadline<T>(
  what: string,
  options: ReadOptions,
  defaultTimeoutMs: number,
  classify: Classify,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new IpfsError(
      "IPFS_INVALID_INPUT",
      `${what}: timeoutMs must be a positive number, got ${timeoutMs}`,
    );
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const translate = (error: unknown): IpfsError => {
    if (options.signal?.aborted === true) {
      return new IpfsError("IPFS_ABORTED", `${what}: aborted by the caller`, { cause: error });
    }
    if (timeout.aborted) {
      return new IpfsError("IPFS_TIMEOUT", `${what}: no answer within ${timeoutMs} ms`, { cause: error });
    }
    return isIpfsError(error) ? error : classify(error);
  };

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work(signal), aborted]);
  } catch (error) {
    throw translate(error);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
  }
}

/** Fallback classification: keep the library's message under a generic code. */
export function failed(what: string): Classify {
  return (error) => new IpfsError("IPFS_FAILED", `${what}: ${messageOf(error)}`, { cause: error });
}
