import { DispError, isDispError } from "@disp/protocol";

export type CryptoErrorCode =
  /** A key, nonce, index, address or size outside what the format allows. */
  | "CRYPTO_INVALID_INPUT"
  /**
   * AES-GCM refused the bytes: the key is wrong (not a grantee, another account's key) or the
   * envelope, the ciphertext or what it is bound to was changed. GCM cannot tell these apart.
   */
  | "CRYPTO_AUTHENTICATION_FAILED"
  /** An envelope of another length or format version than this implementation reads. */
  | "CRYPTO_ENVELOPE_MALFORMED"
  /** An X25519 public key that yields no usable shared secret (a low-order point). */
  | "CRYPTO_WEAK_PUBLIC_KEY"
  /** Neither node:crypto nor WebCrypto with X25519, HKDF and AES-GCM is available here. */
  | "CRYPTO_UNAVAILABLE";

/** A failure of a DISP encryption step, with a stable code. Nothing is returned half-decrypted. */
export class CryptoError extends DispError {
  declare readonly code: CryptoErrorCode;
}

export function isCryptoError(error: unknown, code?: CryptoErrorCode): error is CryptoError {
  return error instanceof CryptoError && isDispError(error, code);
}
