import type { CryptoBackend } from "./backend.js";
import { exactLength, utf8 } from "./bytes.js";

/**
 * An account's X25519 key pair, derived from its wallet's signature over one fixed message, so the
 * user keeps no new secret: signing the message again gives the same key pair.
 *
 *   signature = personal_sign(KEY_DERIVATION_MESSAGE)   (EIP-191 version 0x45, 65 bytes r || s || v)
 *   v         = 27 or 28 (a wallet's 0 or 1 is raised by 27 first)
 *   secret    = HKDF-SHA256(ikm = signature, salt = KEY_DERIVATION_SALT, info = KEY_DERIVATION_INFO, L = 32)
 *   publicKey = X25519(secret, 9)                        (RFC 7748, secret clamped as usual)
 *
 * This relies on the wallet signing deterministically (RFC 6979 nonces, as ethers, MetaMask,
 * Ledger and Trezor do for EOAs). A wallet that randomises its nonces (some MPC and smart-contract
 * wallets) gives another signature, hence another key pair, each time: the key it registered no
 * longer matches, and envelopes wrapped to it cannot be opened by a later derivation. The client
 * therefore signs twice at registration and refuses a wallet whose two signatures differ.
 *
 * Whoever holds the signature holds the secret: a client must only ask for it on its own behalf.
 */
export const KEY_DERIVATION_MESSAGE = [
  "DISP encryption key, version 1",
  "",
  "Signing this message derives the key that opens the private images shared with this account.",
  "Sign it only in a DISP client you trust: whoever holds this signature can read them.",
].join("\n");
export const KEY_DERIVATION_SALT = "DISP X25519 key salt v1";
export const KEY_DERIVATION_INFO = "DISP X25519 key v1";
export const SIGNATURE_BYTES = 65;
export const X25519_KEY_BYTES = 32;

export interface EncryptionKeyPair {
  /** The X25519 public key: what the on-chain key registry records (a bytes32). */
  readonly publicKey: Uint8Array;
  /** The X25519 secret: never leaves the client. */
  readonly secretKey: Uint8Array;
}

export async function keyPairFromSignature(
  backend: CryptoBackend,
  signature: Uint8Array,
): Promise<EncryptionKeyPair> {
  const normalised = new Uint8Array(exactLength(signature, SIGNATURE_BYTES, "a signature"));
  const v = normalised[SIGNATURE_BYTES - 1] ?? 0;
  if (v < 27) normalised[SIGNATURE_BYTES - 1] = v + 27;
  const secretKey = await backend.hkdf(
    normalised,
    utf8(KEY_DERIVATION_SALT),
    utf8(KEY_DERIVATION_INFO),
    X25519_KEY_BYTES,
  );
  return keyPairFromSecret(backend, secretKey);
}

/** The key pair of an X25519 secret (32 bytes). */
export async function keyPairFromSecret(
  backend: CryptoBackend,
  secretKey: Uint8Array,
): Promise<EncryptionKeyPair> {
  exactLength(secretKey, X25519_KEY_BYTES, "an X25519 secret");
  return { publicKey: await backend.x25519PublicKey(secretKey), secretKey };
}
