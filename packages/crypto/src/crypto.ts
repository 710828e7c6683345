import { defaultBackend, nodeBackend, webCryptoBackend, type CryptoBackend } from "./backend.js";
import { decryptShard, encryptShard, newContentKey, openSealedManifest, sealManifest } from "./content.js";
import { unwrapContentKey, wrapContentKey, type EnvelopeBinding } from "./envelope.js";
import { CryptoError } from "./errors.js";
import { keyPairFromSecret, keyPairFromSignature, type EncryptionKeyPair } from "./identity.js";

/** DISP's encryption steps, on one backend (see each function's file for the exact derivation). */
export interface DispCrypto {
  /** Which primitives run underneath. */
  readonly backend: CryptoBackend["name"];
  /** A fresh random content key for one image version (32 bytes). */
  newContentKey(): Uint8Array;
  /** One shard encrypted under the content key: ciphertext || 16-byte tag. */
  encryptShard(contentKey: Uint8Array, index: number, plaintext: Uint8Array): Promise<Uint8Array>;
  decryptShard(contentKey: Uint8Array, index: number, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** A private version's plaintext manifest sealed under the content key (its own HKDF info). */
  sealManifest(contentKey: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  openSealedManifest(contentKey: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>;
  /** The account's key pair from its signature over KEY_DERIVATION_MESSAGE. */
  keyPairFromSignature(signature: Uint8Array): Promise<EncryptionKeyPair>;
  keyPairFromSecret(secretKey: Uint8Array): Promise<EncryptionKeyPair>;
  /** The content key wrapped for one grantee's public key (81 bytes). */
  wrapContentKey(
    contentKey: Uint8Array,
    granteePublicKey: Uint8Array,
    binding: EnvelopeBinding,
  ): Promise<Uint8Array>;
  unwrapContentKey(
    envelope: Uint8Array,
    grantee: EncryptionKeyPair,
    binding: EnvelopeBinding,
  ): Promise<Uint8Array>;
}

export interface CryptoOptions {
  /** Default: node:crypto where it can be imported, else WebCrypto. */
  readonly backend?: CryptoBackend["name"];
}

export async function createCrypto(options: CryptoOptions = {}): Promise<DispCrypto> {
  const backend = await backendNamed(options.backend);
  return {
    backend: backend.name,
    newContentKey: () => newContentKey(backend),
    encryptShard: (contentKey, index, plaintext) => encryptShard(backend, contentKey, index, plaintext),
    decryptShard: (contentKey, index, ciphertext) => decryptShard(backend, contentKey, index, ciphertext),
    sealManifest: (contentKey, plaintext) => sealManifest(backend, contentKey, plaintext),
    openSealedManifest: (contentKey, sealed) => openSealedManifest(backend, contentKey, sealed),
    keyPairFromSignature: (signature) => keyPairFromSignature(backend, signature),
    keyPairFromSecret: (secretKey) => keyPairFromSecret(backend, secretKey),
    wrapContentKey: (contentKey, publicKey, binding) =>
      wrapContentKey(backend, contentKey, publicKey, binding),
    unwrapContentKey: (envelope, grantee, binding) => unwrapContentKey(backend, envelope, grantee, binding),
  };
}

async function backendNamed(name: CryptoBackend["name"] | undefined): Promise<CryptoBackend> {
  if (name === undefined) return defaultBackend();
  if (name === "node:crypto") {
    try {
      return nodeBackend(await import("node:crypto"));
    } catch (error) {
      throw new CryptoError("CRYPTO_UNAVAILABLE", "node:crypto cannot be imported in this runtime", {
        cause: error,
      });
    }
  }
  if (globalThis.crypto?.subtle === undefined) {
    throw new CryptoError("CRYPTO_UNAVAILABLE", "this runtime has no WebCrypto");
  }
  return webCryptoBackend(globalThis.crypto);
}
