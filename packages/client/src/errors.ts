import { DispError, isDispError } from "@disp/protocol";

export type ClientErrorCode =
  /** No image with that id on this registry. */
  | "CLIENT_UNKNOWN_IMAGE"
  /** The account already registered an image with this content (the message names its id). */
  | "CLIENT_IMAGE_EXISTS"
  /** The image exists, the version does not. */
  | "CLIENT_UNKNOWN_VERSION"
  /** No community with that id (or not of the size the image needs). */
  | "CLIENT_UNKNOWN_COMMUNITY"
  /** The account may not do this (not the owner, not an editor, lacks a role). */
  | "CLIENT_NOT_AUTHORIZED"
  /** The account is not on the community's uploader list (only listed accounts may store there). */
  | "CLIENT_NOT_UPLOADER"
  /** The image is private and the account holds no read grant (advisory until encryption). */
  | "CLIENT_NO_READ_GRANT"
  /** Arguments the client refuses before touching the chain. */
  | "CLIENT_INVALID_INPUT"
  /** No registry at that address on this network (wrong network or address). */
  | "CLIENT_NO_REGISTRY"
  /** The registry reverted with an error the client has no better word for. */
  | "CLIENT_REVERTED"
  /** Registered, but not every slot confirmed storage in time. */
  | "CLIENT_STORAGE_TIMEOUT"
  /** A private version's plaintext manifest (the file's header: EXIF, ICC...) is over what is sealed. */
  | "CLIENT_PRIVATE_MANIFEST_TOO_LARGE"
  /** The version's manifest could not be fetched. */
  | "CLIENT_MANIFEST_UNAVAILABLE"
  /** The manifest fetched does not match the version's on-chain root: never used. */
  | "CLIENT_MANIFEST_MISMATCH"
  /** No fragment of the version could be fetched and verified: nothing to rebuild. */
  | "CLIENT_NOTHING_RETRIEVED"
  /** A node agent refused a part whose declared size exceeds what its manifest's geometry allows. */
  | "CLIENT_SHARD_TOO_LARGE"
  /** A node agent refused a part that would take its registrant past the node's quota. */
  | "CLIENT_QUOTA_EXCEEDED"
  /** The account is not an opted-in storage node. */
  | "CLIENT_NOT_A_NODE"
  /** The IPFS node computed another CID than the manifest records (other UnixFS settings). */
  | "CLIENT_CID_MISMATCH"
  /** Not enough storage nodes for what was asked (replicas, community size). */
  | "CLIENT_NOT_ENOUGH_NODES"
  /** A node's published peer id is not proven by its peer key's signature: never dialled. */
  | "CLIENT_PEER_ID_UNPROVEN"
  /** Every address a node published is refused by the address policy (or it published none). */
  | "CLIENT_ADDRESS_REFUSED"
  /** None of a node's addresses answered as its peer within the deadline. */
  | "CLIENT_NODE_UNREACHABLE"
  /** The account registered no encryption key: it must run `disp:keys:register` first. */
  | "CLIENT_NO_ENCRYPTION_KEY"
  /** The key registered for the account is not the one its wallet derives now. */
  | "CLIENT_ENCRYPTION_KEY_MISMATCH"
  /** The wallet signed the key-derivation message twice with different signatures (randomised nonces). */
  | "CLIENT_SIGNATURE_NOT_DETERMINISTIC"
  /** No content key of a private image's version is wrapped for the account: it is not granted. */
  | "CLIENT_NOT_GRANTED"
  /**
   * A wrapped content key does not open with the account's key (changed, for another grant or
   * another key), or the chain served no well-formed envelope where the registry recorded one.
   */
  | "CLIENT_KEY_MISMATCH";

/** A failure of a DISP client operation, with a stable code and a one-line message for users. */
export class ClientError extends DispError {
  declare readonly code: ClientErrorCode;
}

export function isClientError(error: unknown, code?: ClientErrorCode): error is ClientError {
  return error instanceof ClientError && isDispError(error, code);
}

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
