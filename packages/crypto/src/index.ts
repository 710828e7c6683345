// DISP encryption: content and shard keys, account key pairs from a signature, per-grantee envelopes.
export type { CryptoBackend } from "./backend.js";
export { createCrypto, type CryptoOptions, type DispCrypto } from "./crypto.js";
export { CONTENT_KEY_BYTES, MAX_SHARD_BYTES, SEALED_MANIFEST_INFO, SHARD_INFO } from "./content.js";
export { ENVELOPE_BYTES, ENVELOPE_FORMAT, ENVELOPE_INFO, type EnvelopeBinding } from "./envelope.js";
export { CryptoError, isCryptoError, type CryptoErrorCode } from "./errors.js";
export {
  KEY_DERIVATION_INFO,
  KEY_DERIVATION_MESSAGE,
  KEY_DERIVATION_SALT,
  SIGNATURE_BYTES,
  X25519_KEY_BYTES,
  type EncryptionKeyPair,
} from "./identity.js";
