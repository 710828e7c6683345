import { TAG_BYTES, type CryptoBackend } from "./backend.js";
import { concatBytes, exactLength, uint32, utf8 } from "./bytes.js";
import { CryptoError } from "./errors.js";

/**
 * Content encryption: one random 32-byte content key per image version, and from it one AES-256-GCM
 * key and nonce per shard, so that no (key, nonce) pair is ever used twice and a shard cannot be
 * swapped for another of the same version without failing its tag.
 *
 *   okm        = HKDF-SHA256(ikm = contentKey, salt = "" (empty), info = SHARD_INFO || uint32be(index), L = 44)
 *   shardKey   = okm[0..32)
 *   shardNonce = okm[32..44)
 *   ciphertext = AES-256-GCM(shardKey, shardNonce, plaintext, aad = "") || tag (16 bytes)
 *
 * SHARD_INFO is the ASCII string below; `index` is the shard's position in the manifest (fragments
 * first, then parity), as 4 big-endian bytes.
 *
 * A private version's plaintext manifest is sealed the same way under its own info, so that its
 * key and nonce are never a shard's: info = SEALED_MANIFEST_INFO (no index).
 */
export const SHARD_INFO = "DISP shard key v1";
export const SEALED_MANIFEST_INFO = "DISP sealed manifest v1";
export const CONTENT_KEY_BYTES = 32;
export const NONCE_BYTES = 12;
/** The largest shard this encrypts or decrypts: far under GCM's 64 GiB and a shard's real size. */
export const MAX_SHARD_BYTES = 1 << 30;

export function newContentKey(backend: CryptoBackend): Uint8Array {
  return backend.randomBytes(CONTENT_KEY_BYTES);
}

function shardKey(backend: CryptoBackend, contentKey: Uint8Array, index: number) {
  return derivedKey(backend, contentKey, concatBytes(utf8(SHARD_INFO), uint32(index, "a shard index")));
}

async function derivedKey(backend: CryptoBackend, contentKey: Uint8Array, info: Uint8Array) {
  exactLength(contentKey, CONTENT_KEY_BYTES, "a content key");
  const okm = await backend.hkdf(contentKey, new Uint8Array(0), info, CONTENT_KEY_BYTES + NONCE_BYTES);
  return { key: okm.subarray(0, CONTENT_KEY_BYTES), nonce: okm.subarray(CONTENT_KEY_BYTES) };
}

export async function encryptShard(
  backend: CryptoBackend,
  contentKey: Uint8Array,
  index: number,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  if (plaintext.length > MAX_SHARD_BYTES) {
    throw new CryptoError(
      "CRYPTO_INVALID_INPUT",
      `shard ${index} is ${plaintext.length} bytes, over ${MAX_SHARD_BYTES}`,
    );
  }
  const { key, nonce } = await shardKey(backend, contentKey, index);
  return backend.seal(key, nonce, plaintext, new Uint8Array(0));
}

/** The plaintext of an encrypted shard, or CRYPTO_AUTHENTICATION_FAILED (nothing partial). */
export async function decryptShard(
  backend: CryptoBackend,
  contentKey: Uint8Array,
  index: number,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  if (ciphertext.length < TAG_BYTES || ciphertext.length > MAX_SHARD_BYTES + TAG_BYTES) {
    throw new CryptoError(
      "CRYPTO_INVALID_INPUT",
      `encrypted shard ${index} is ${ciphertext.length} bytes, outside ${TAG_BYTES}..${MAX_SHARD_BYTES + TAG_BYTES}`,
    );
  }
  const { key, nonce } = await shardKey(backend, contentKey, index);
  try {
    return await backend.open(key, nonce, ciphertext, new Uint8Array(0));
  } catch (error) {
    throw new CryptoError(
      "CRYPTO_AUTHENTICATION_FAILED",
      `shard ${index} does not decrypt: wrong content key, or the ciphertext was changed`,
      { cause: error },
    );
  }
}

/** A private version's plaintext manifest encrypted under the content key: ciphertext || tag. */
export async function sealManifest(
  backend: CryptoBackend,
  contentKey: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const { key, nonce } = await derivedKey(backend, contentKey, utf8(SEALED_MANIFEST_INFO));
  return backend.seal(key, nonce, plaintext, new Uint8Array(0));
}

/** The plaintext manifest of a sealed one, or CRYPTO_AUTHENTICATION_FAILED (nothing partial). */
export async function openSealedManifest(
  backend: CryptoBackend,
  contentKey: Uint8Array,
  sealed: Uint8Array,
): Promise<Uint8Array> {
  if (sealed.length < TAG_BYTES) {
    throw new CryptoError("CRYPTO_INVALID_INPUT", `a sealed manifest of ${sealed.length} bytes has no tag`);
  }
  const { key, nonce } = await derivedKey(backend, contentKey, utf8(SEALED_MANIFEST_INFO));
  try {
    return await backend.open(key, nonce, sealed, new Uint8Array(0));
  } catch (error) {
    throw new CryptoError(
      "CRYPTO_AUTHENTICATION_FAILED",
      "the sealed manifest does not open: wrong content key, or the manifest was changed",
      { cause: error },
    );
  }
}
