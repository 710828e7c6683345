import { DispError } from "@disp/protocol";

/**
 * Why an IPFS operation failed. Stable: callers branch on these, never on messages.
 * - `IPFS_TIMEOUT`: the operation's time ran out (e.g. no connected peer has the block).
 * - `IPFS_ABORTED`: the caller's AbortSignal fired.
 * - `IPFS_NOT_FOUND`: the node does not hold what was asked for and was told not to look further
 *   (an offline read), or a pin to remove does not exist.
 * - `IPFS_UNREACHABLE`: a peer or the Kubo RPC API could not be reached.
 * - `IPFS_INTEGRITY`: bytes did not hash to their CID, or the DAG contradicts itself.
 * - `IPFS_UNSUPPORTED`: a CID, codec, hash or setting this layer cannot read or produce.
 * - `IPFS_INVALID_INPUT`: a malformed argument (multiaddr, size limit...).
 * - `IPFS_TOO_LARGE`: the content is larger than the caller's `maxBytes`.
 * - `IPFS_STOPPED`: the node was stopped.
 * - `IPFS_IN_USE`: another node (in this process or another) has the same directory open.
 * - `IPFS_FAILED`: the node reported an error that fits none of the above (message kept).
 */
export type IpfsErrorCode =
  | "IPFS_TIMEOUT"
  | "IPFS_ABORTED"
  | "IPFS_NOT_FOUND"
  | "IPFS_UNREACHABLE"
  | "IPFS_INTEGRITY"
  | "IPFS_UNSUPPORTED"
  | "IPFS_INVALID_INPUT"
  | "IPFS_TOO_LARGE"
  | "IPFS_STOPPED"
  | "IPFS_IN_USE"
  | "IPFS_FAILED";

export class IpfsError extends DispError {
  declare readonly code: IpfsErrorCode;

  // Not useless: it narrows `code` from any string to an IpfsErrorCode.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: IpfsErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** True when `error` is an IpfsError, optionally with the given code. */
export function isIpfsError(error: unknown, code?: IpfsErrorCode): error is IpfsError {
  return error instanceof IpfsError && (code === undefined || error.code === code);
}

/** The error's own message, for wrapping errors from libraries that throw anything. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
