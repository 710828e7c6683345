import {
  ENCRYPTION_SCHEME,
  ENCRYPTION_TAG_BYTES,
  MAX_SEALED_MANIFEST_BYTES,
  computeCid,
  sha256Hex,
} from "@disp/protocol";
import {
  codecOf,
  parseManifest,
  serializeManifest,
  type EncodedFragment,
  type EncodedImage,
  type Manifest,
  type SealedContent,
} from "@disp/core";
import { createCrypto, type DispCrypto } from "@disp/crypto";
import { decodeBase64, encodeBase64 } from "ethers";

import { ClientError, messageOf } from "./errors.js";

/** Whether a version is encrypted for its key holders or viewable by every node. */
export type Visibility = "private" | "public";

export function visibilityOf(manifest: Pick<Manifest, "encryption">): Visibility {
  return manifest.encryption === null ? "public" : "private";
}

/**
 * A private version of an encoded image (docs/encryption.md): each fragment encrypted under its own
 * key and nonce from the content key (shard index i), and the public manifest naming only the
 * ciphertexts, the kernel and, for pooled fragments, the image's size (a node's size bound); the
 * codec's manifest (its section, the content hash, the plaintext entries) sealed inside it.
 * Parity and segment roots are added after, over the ciphertexts (addParity).
 */
export async function sealImage(
  encoded: EncodedImage,
  contentKey: Uint8Array,
  crypto?: DispCrypto,
): Promise<EncodedImage> {
  const inner = encoded.manifestBytes;
  if (inner.length > MAX_SEALED_MANIFEST_BYTES) {
    throw new ClientError(
      "CLIENT_PRIVATE_MANIFEST_TOO_LARGE",
      `the file's manifest is ${inner.length} bytes (its header and metadata: EXIF, ICC profile, a preview), more than the ${MAX_SEALED_MANIFEST_BYTES} a private version seals: strip the metadata or store it --visibility public`,
    );
  }
  const engine = crypto ?? (await createCrypto());
  const { unixfs } = encoded.manifest;
  const fragments: EncodedFragment[] = [];
  for (const fragment of encoded.fragments) {
    const bytes = await engine.encryptShard(contentKey, fragment.index, fragment.bytes);
    const cid = await computeCid(bytes, unixfs);
    fragments.push({ index: fragment.index, bytes, cid: cid.toString(), sha256: sha256Hex(bytes) });
  }
  const sealed = await engine.sealManifest(contentKey, inner);
  const pooled = codecOf(encoded.manifest.codec).pools;
  const manifest: Manifest = {
    schema: encoded.manifest.schema,
    // A whole file's size is not needed for its bound (the file codec's limit): not revealed.
    image: pooled ? encoded.manifest.image : { ...encoded.manifest.image, width: 1, height: 1 },
    kernel: encoded.manifest.kernel,
    padding: encoded.manifest.padding,
    codec: { name: "sealed", pooled },
    contentHash: { algorithm: "sha256", digest: sha256Hex(sealed) },
    unixfs,
    fragments: fragments.map(({ index, cid, bytes, sha256 }) => ({ index, cid, size: bytes.length, sha256 })),
    parity: null,
    encryption: { scheme: ENCRYPTION_SCHEME, sealed: encodeBase64(sealed) },
    proofs: null,
  };
  return { ...encoded, manifest, manifestBytes: serializeManifest(manifest), fragments };
}

/**
 * Opens a private version's sealed manifest with its content key (a wrong key or a changed manifest
 * fails on the GCM tag: CryptoError CRYPTO_AUTHENTICATION_FAILED) and checks it describes the
 * public one's ciphertexts (CLIENT_MANIFEST_MISMATCH otherwise): what a rebuild decrypts with.
 */
export async function openSealed(
  outer: Manifest,
  contentKey: Uint8Array,
  crypto?: DispCrypto,
): Promise<SealedContent> {
  if (outer.encryption === null || outer.codec.name !== "sealed") {
    throw new ClientError("CLIENT_INVALID_INPUT", "the version is public: it has no sealed manifest");
  }
  const engine = crypto ?? (await createCrypto());
  const plaintext = await engine.openSealedManifest(contentKey, decodeBase64(outer.encryption.sealed));
  let inner: Manifest;
  try {
    inner = parseManifest(plaintext);
  } catch (error) {
    throw new ClientError("CLIENT_MANIFEST_MISMATCH", `the sealed manifest is invalid: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const disagreement = sealedDisagreement(outer, inner, outer.codec.pooled);
  if (disagreement !== undefined) {
    throw new ClientError("CLIENT_MANIFEST_MISMATCH", `the sealed manifest ${disagreement}`);
  }
  return {
    manifest: inner,
    decrypt: (index, ciphertext) => engine.decryptShard(contentKey, index, ciphertext),
  };
}

function sealedDisagreement(outer: Manifest, inner: Manifest, pooled: boolean): string | undefined {
  if (inner.encryption !== null || inner.parity !== null || inner.proofs !== null) {
    return "is itself sealed or carries parity or segment roots";
  }
  if (codecOf(inner.codec).pools !== pooled)
    return `is of the ${inner.codec.name} codec, not pooled: ${pooled}`;
  const sameKernel = inner.kernel.height === outer.kernel.height && inner.kernel.width === outer.kernel.width;
  if (!sameKernel) return "has another kernel than the public one";
  if (pooled && (inner.image.width !== outer.image.width || inner.image.height !== outer.image.height)) {
    return "has another image size than the public one";
  }
  if (inner.fragments.length !== outer.fragments.length) return "lists another number of fragments";
  for (const [i, entry] of inner.fragments.entries()) {
    if (outer.fragments[i]?.size !== entry.size + ENCRYPTION_TAG_BYTES) {
      return `says fragment ${i} is ${entry.size} bytes, its ciphertext is not ${ENCRYPTION_TAG_BYTES} more`;
    }
  }
  return undefined;
}
