import type { CryptoBackend } from "./backend.js";
import { address, concatBytes, exactLength, isAllZero, uint256, utf8 } from "./bytes.js";
import { CONTENT_KEY_BYTES, NONCE_BYTES } from "./content.js";
import { CryptoError } from "./errors.js";
import { X25519_KEY_BYTES } from "./identity.js";

/**
 * A content key wrapped for one grantee: ephemeral X25519 ECDH with the grantee's registered public
 * key, HKDF-SHA256, then AES-256-GCM over the content key, bound to the exact grant it was made for.
 *
 *   shared   = X25519(ephemeralSecret, granteePublicKey)             (all-zero: refused)
 *   okm      = HKDF-SHA256(ikm = shared, salt = ephemeralPublicKey || granteePublicKey,
 *                          info = ENVELOPE_INFO, L = 44)
 *   aad      = ENVELOPE_INFO || uint256be(chainId) || registry (20 bytes) || uint256be(imageId)
 *              || uint256be(version) || grantee (20 bytes)
 *   envelope = 0x01 || ephemeralPublicKey (32) || AES-256-GCM(okm[0..32), okm[32..44), contentKey, aad)
 *              || tag (16)                                           = 81 bytes
 *
 * ENVELOPE_INFO is the ASCII string below. Because the grant is in the AAD, an envelope copied to
 * another image, version, registry, chain or account does not open.
 */
export const ENVELOPE_INFO = "DISP envelope v1";
export const ENVELOPE_FORMAT = 1;
export const ENVELOPE_BYTES = 1 + X25519_KEY_BYTES + CONTENT_KEY_BYTES + 16;

/** The grant an envelope belongs to. */
export interface EnvelopeBinding {
  readonly chainId: bigint;
  /** The image registry's address. */
  readonly registry: string;
  readonly imageId: bigint;
  readonly version: bigint;
  /** The account the content key is wrapped for. */
  readonly grantee: string;
}

function aadOf(binding: EnvelopeBinding): Uint8Array {
  return concatBytes(
    utf8(ENVELOPE_INFO),
    uint256(binding.chainId, "chainId"),
    address(binding.registry, "registry"),
    uint256(binding.imageId, "imageId"),
    uint256(binding.version, "version"),
    address(binding.grantee, "grantee"),
  );
}

async function wrappingKey(
  backend: CryptoBackend,
  shared: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  granteePublicKey: Uint8Array,
) {
  const okm = await backend.hkdf(
    shared,
    concatBytes(ephemeralPublicKey, granteePublicKey),
    utf8(ENVELOPE_INFO),
    CONTENT_KEY_BYTES + NONCE_BYTES,
  );
  return { key: okm.subarray(0, CONTENT_KEY_BYTES), nonce: okm.subarray(CONTENT_KEY_BYTES) };
}

async function sharedSecret(
  backend: CryptoBackend,
  secret: Uint8Array,
  publicKey: Uint8Array,
): Promise<Uint8Array> {
  let shared: Uint8Array;
  try {
    shared = await backend.x25519(secret, publicKey);
  } catch (error) {
    throw new CryptoError("CRYPTO_WEAK_PUBLIC_KEY", "the X25519 public key gives no shared secret", {
      cause: error,
    });
  }
  if (isAllZero(shared))
    throw new CryptoError("CRYPTO_WEAK_PUBLIC_KEY", "the X25519 public key is a low-order point");
  return shared;
}

export async function wrapContentKey(
  backend: CryptoBackend,
  contentKey: Uint8Array,
  granteePublicKey: Uint8Array,
  binding: EnvelopeBinding,
): Promise<Uint8Array> {
  exactLength(contentKey, CONTENT_KEY_BYTES, "a content key");
  exactLength(granteePublicKey, X25519_KEY_BYTES, "an X25519 public key");
  const aad = aadOf(binding);
  const ephemeralSecret = backend.randomBytes(X25519_KEY_BYTES);
  const ephemeralPublicKey = await backend.x25519PublicKey(ephemeralSecret);
  const shared = await sharedSecret(backend, ephemeralSecret, granteePublicKey);
  const { key, nonce } = await wrappingKey(backend, shared, ephemeralPublicKey, granteePublicKey);
  const sealed = await backend.seal(key, nonce, contentKey, aad);
  return concatBytes(Uint8Array.of(ENVELOPE_FORMAT), ephemeralPublicKey, sealed);
}

/**
 * The content key inside `envelope`, opened with the grantee's key pair. A wrong key pair, a changed
 * byte or another binding all fail with CRYPTO_AUTHENTICATION_FAILED.
 */
export async function unwrapContentKey(
  backend: CryptoBackend,
  envelope: Uint8Array,
  grantee: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array },
  binding: EnvelopeBinding,
): Promise<Uint8Array> {
  if (envelope.length !== ENVELOPE_BYTES || envelope[0] !== ENVELOPE_FORMAT) {
    throw new CryptoError(
      "CRYPTO_ENVELOPE_MALFORMED",
      `an envelope is ${ENVELOPE_BYTES} bytes starting with format ${ENVELOPE_FORMAT}, got ${envelope.length} bytes starting with ${envelope[0] ?? "nothing"}`,
    );
  }
  exactLength(grantee.secretKey, X25519_KEY_BYTES, "an X25519 secret");
  exactLength(grantee.publicKey, X25519_KEY_BYTES, "an X25519 public key");
  const aad = aadOf(binding);
  const ephemeralPublicKey = envelope.subarray(1, 1 + X25519_KEY_BYTES);
  const failed = (cause: unknown) =>
    new CryptoError(
      "CRYPTO_AUTHENTICATION_FAILED",
      "the envelope does not open: not wrapped for this key, for another grant, or changed",
      { cause },
    );
  let shared: Uint8Array;
  try {
    shared = await sharedSecret(backend, grantee.secretKey, ephemeralPublicKey);
  } catch (error) {
    throw failed(error);
  }
  const { key, nonce } = await wrappingKey(backend, shared, ephemeralPublicKey, grantee.publicKey);
  try {
    return await backend.open(key, nonce, envelope.subarray(1 + X25519_KEY_BYTES), aad);
  } catch (error) {
    throw failed(error);
  }
}
