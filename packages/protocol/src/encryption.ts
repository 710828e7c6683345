import { z } from "zod";

/**
 * The manifest's `encryption` section of a private version (docs/encryption.md): the fragments are
 * AES-256-GCM ciphertexts under per-shard keys derived from the version's content key with HKDF-SHA256,
 * and `sealed` is the plaintext manifest (codec section, content hash, plaintext fragment entries)
 * encrypted under a key derived from the same content key with its own HKDF info.
 */
export const ENCRYPTION_SCHEME = "aes-256-gcm-hkdf-sha256@1";

/**
 * The largest plaintext manifest a private version seals: its base64 (4/3 of it, with the 16-byte
 * tag) must leave room in the public manifest (MAX_MANIFEST_BYTES) for the ciphertext entries,
 * parity and segment roots. A JPEG whose header and trailer (EXIF, ICC, an appended preview) make
 * it larger is refused before anything is uploaded.
 */
export const MAX_SEALED_MANIFEST_BYTES = 512 * 1024;

/** The 16-byte AES-GCM tag each ciphertext (shard or sealed manifest) carries after its bytes. */
export const ENCRYPTION_TAG_BYTES = 16;

const MAX_SEALED_BASE64 = Math.ceil((MAX_SEALED_MANIFEST_BYTES + ENCRYPTION_TAG_BYTES) / 3) * 4;

export const encryptionSectionSchema = z.strictObject({
  scheme: z.literal(ENCRYPTION_SCHEME),
  /** base64 (RFC 4648, padded) of the sealed plaintext manifest: ciphertext || tag. */
  sealed: z.base64().min(4).max(MAX_SEALED_BASE64),
});

export type EncryptionSection = z.infer<typeof encryptionSectionSchema>;
