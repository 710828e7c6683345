import { peerIdFromString } from "@libp2p/peer-id";

import { IpfsError, messageOf } from "./errors.js";

/**
 * What a peer key signs before the caller's bytes: the prefix Kubo's `key/sign` adds ("to avoid
 * signature reuse"), used by the embedded node as well, so both node kinds sign the same bytes and
 * a signature over caller data can never pass for an IPNS record, a peer record or a handshake.
 */
export const PEER_KEY_SIGNED_PREFIX = "libp2p-key signed message:";

const PREFIX_BYTES = new TextEncoder().encode(PEER_KEY_SIGNED_PREFIX);

/** The bytes a peer key actually signs for `data`: the prefix, then `data`. */
export function peerKeySignedBytes(data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(PREFIX_BYTES.length + data.length);
  bytes.set(PREFIX_BYTES);
  bytes.set(data, PREFIX_BYTES.length);
  return bytes;
}

/**
 * Whether `signature` is the signature of `peerId`'s key over `data` (with the prefix, as
 * `IpfsNode.signWithPeerKey` makes it). The peer id must carry its public key (Ed25519 or
 * secp256k1, the Kubo and Helia defaults): an RSA peer id is only a hash of its key, so it fails
 * with `IPFS_UNSUPPORTED`; text that is not a peer id fails with `IPFS_INVALID_INPUT`.
 */
export async function verifyPeerSignature(
  peerId: string,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  let key;
  try {
    key = peerIdFromString(peerId).publicKey;
  } catch (error) {
    throw new IpfsError("IPFS_INVALID_INPUT", `not a peer id: ${peerId} (${messageOf(error)})`, {
      cause: error,
    });
  }
  if (key === undefined) {
    throw new IpfsError(
      "IPFS_UNSUPPORTED",
      `peer id ${peerId} does not carry its public key (RSA): its signatures cannot be checked`,
    );
  }
  try {
    return await key.verify(peerKeySignedBytes(data), signature);
  } catch {
    return false; // a malformed signature is no signature
  }
}

/** The canonical text of a peer id (base58btc), or undefined when `text` is not a peer id. */
export function canonicalPeerId(text: string): string | undefined {
  try {
    return peerIdFromString(text).toString();
  } catch {
    return undefined;
  }
}
