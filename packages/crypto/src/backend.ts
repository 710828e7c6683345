import type * as NodeCrypto from "node:crypto";

import { CryptoError } from "./errors.js";

/**
 * The primitives DISP's encryption is built from, behind one interface so that the same derivations
 * run on node:crypto (OpenSSL: fastest, synchronous) and on WebCrypto (browsers, other runtimes).
 * Both give identical bytes for identical inputs; the tests check that.
 */
export interface CryptoBackend {
  readonly name: "node:crypto" | "webcrypto";
  randomBytes(length: number): Uint8Array;
  /** HKDF-SHA256 (RFC 5869) of `length` bytes. */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  /** AES-256-GCM with a 12-byte nonce: the ciphertext followed by its 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** The inverse of seal; rejects (with the backend's own error) when the tag does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** The X25519 public key of a 32-byte secret (RFC 7748; the secret is clamped as usual). */
  x25519PublicKey(secret: Uint8Array): Promise<Uint8Array>;
  /** The X25519 shared secret; rejects on a low-order public key (an all-zero result). */
  x25519(secret: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
}

export const TAG_BYTES = 16;
/** How much plaintext node:crypto encrypts per `update` call (see `seal`). */
const SEAL_PIECE_BYTES = 512 * 1024;

// DER wrappers of raw X25519 keys (RFC 8410): PKCS#8 for a secret, SPKI for a public key.
const PKCS8_X25519 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_X25519 = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

function der(prefix: Uint8Array, raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(prefix.length + raw.length);
  out.set(prefix);
  out.set(raw, prefix.length);
  return out;
}

/** The same bytes in a buffer WebCrypto accepts (never a SharedArrayBuffer view). */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * The same bytes as a Buffer, without copying: node:crypto's `update` runs about 2.5x slower on a
 * plain Uint8Array than on a Buffer over the same memory (measured on Node 24).
 */
function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function nodeBackend(crypto: typeof NodeCrypto): CryptoBackend {
  const privateKey = (secret: Uint8Array) =>
    crypto.createPrivateKey({ key: Buffer.from(der(PKCS8_X25519, secret)), format: "der", type: "pkcs8" });
  return {
    name: "node:crypto",
    randomBytes: (length) => new Uint8Array(crypto.randomBytes(length)),
    hkdf: async (ikm, salt, info, length) =>
      new Uint8Array(crypto.hkdfSync("sha256", ikm, salt, info, length)),
    seal: async (key, nonce, plaintext, aad) => {
      const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce);
      cipher.setAAD(aad);
      // One output buffer, filled a large piece at a time: `update` allocates what it returns, so
      // encrypting all at once and then appending the tag would copy the whole shard again (about
      // 20% slower measured; smaller pieces lose more to per-call cost). Not zero-filled: every
      // byte is written below.
      const out = Buffer.allocUnsafe(plaintext.length + TAG_BYTES);
      const input = bufferView(plaintext);
      let written = 0;
      for (let offset = 0; offset < input.length; offset += SEAL_PIECE_BYTES) {
        const piece = cipher.update(input.subarray(offset, offset + SEAL_PIECE_BYTES));
        out.set(piece, written);
        written += piece.length;
      }
      cipher.final();
      out.set(cipher.getAuthTag(), written);
      return out;
    },
    open: async (key, nonce, sealed, aad) => {
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, nonce);
      decipher.setAAD(aad);
      const input = bufferView(sealed);
      decipher.setAuthTag(input.subarray(input.length - TAG_BYTES));
      const body = decipher.update(input.subarray(0, input.length - TAG_BYTES));
      decipher.final(); // throws unless the tag verifies: `body` is never returned unchecked
      return new Uint8Array(body.buffer, body.byteOffset, body.length);
    },
    x25519PublicKey: async (secret) =>
      new Uint8Array(
        crypto
          .createPublicKey(privateKey(secret))
          .export({ format: "der", type: "spki" })
          .subarray(SPKI_X25519.length),
      ),
    x25519: async (secret, publicKey) =>
      new Uint8Array(
        crypto.diffieHellman({
          privateKey: privateKey(secret),
          publicKey: crypto.createPublicKey({
            key: Buffer.from(der(SPKI_X25519, publicKey)),
            format: "der",
            type: "spki",
          }),
        }),
      ),
  };
}

/** The runtime's WebCrypto (`globalThis.crypto`): the parts DISP uses. */
type WebCrypto = typeof globalThis.crypto;

export function webCryptoBackend(crypto: WebCrypto): CryptoBackend {
  const { subtle } = crypto;
  return {
    name: "webcrypto",
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    hkdf: async (ikm, salt, info, length) => {
      const key = await subtle.importKey("raw", own(ikm), "HKDF", false, ["deriveBits"]);
      const bits = await subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt: own(salt), info: own(info) },
        key,
        length * 8,
      );
      return new Uint8Array(bits);
    },
    seal: async (key, nonce, plaintext, aad) => {
      const aes = await subtle.importKey("raw", own(key), "AES-GCM", false, ["encrypt"]);
      const sealed = await subtle.encrypt(
        { name: "AES-GCM", iv: own(nonce), additionalData: own(aad) },
        aes,
        own(plaintext),
      );
      return new Uint8Array(sealed);
    },
    open: async (key, nonce, sealed, aad) => {
      const aes = await subtle.importKey("raw", own(key), "AES-GCM", false, ["decrypt"]);
      const plain = await subtle.decrypt(
        { name: "AES-GCM", iv: own(nonce), additionalData: own(aad) },
        aes,
        own(sealed),
      );
      return new Uint8Array(plain);
    },
    x25519PublicKey: async (secret) => {
      const key = await subtle.importKey("pkcs8", der(PKCS8_X25519, secret), { name: "X25519" }, true, [
        "deriveBits",
      ]);
      const { x } = await subtle.exportKey("jwk", key);
      if (x === undefined)
        throw new CryptoError(
          "CRYPTO_UNAVAILABLE",
          "WebCrypto exported an X25519 key without its public part",
        );
      return base64UrlBytes(x);
    },
    x25519: async (secret, publicKey) => {
      const mine = await subtle.importKey("pkcs8", der(PKCS8_X25519, secret), { name: "X25519" }, false, [
        "deriveBits",
      ]);
      const theirs = await subtle.importKey("raw", own(publicKey), { name: "X25519" }, false, []);
      return new Uint8Array(await subtle.deriveBits({ name: "X25519", public: theirs }, mine, 256));
    },
  };
}

function base64UrlBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

let preferred: Promise<CryptoBackend> | undefined;

/** node:crypto where it can be imported, else the runtime's WebCrypto. */
export function defaultBackend(): Promise<CryptoBackend> {
  preferred ??= import("node:crypto").then(nodeBackend, () => {
    if (globalThis.crypto?.subtle === undefined) {
      throw new CryptoError(
        "CRYPTO_UNAVAILABLE",
        "neither node:crypto nor WebCrypto is available in this runtime",
      );
    }
    return webCryptoBackend(globalThis.crypto);
  });
  return preferred;
}
