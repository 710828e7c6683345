import { ENCRYPTION_TAG_BYTES, MAX_SEALED_MANIFEST_BYTES } from "@disp/protocol";

import { maxAnyFragmentBytes } from "../bounds.js";
import type { Codec, SectionOf } from "../codec.js";
import { CodecError } from "../errors.js";
import { MAX_FILE_BYTES } from "../file/index.js";

const sealedError = () =>
  new CodecError(
    "CODEC_SEALED",
    "the version is private: its fragments are ciphertexts and its codec is in the sealed manifest, opened with the content key",
  );

/**
 * The public side of a private version: its shards are checked, proven and repaired as they are
 * (ciphertext), never split or merged here; the client decrypts them and hands the sealed
 * manifest's own codec the plaintext fragments.
 */
export const sealedCodec: Codec<SectionOf<"sealed">> = {
  name: "sealed",
  pools: true,
  refuses: () => "a sealed section is written by the client's encryption, not split from a file",
  split: () => Promise.reject(sealedError()),
  rebuild: () => Promise.reject(sealedError()),
  contentHashOf: () => Promise.reject(sealedError()),
  fragmentExtension: () => "bin",
  /** What a node learns of a private version to bound a shard: the fragment's geometry, or none. */
  maxFragmentBytes({ image, kernel, codec }) {
    if (!codec.pooled) return MAX_FILE_BYTES + ENCRYPTION_TAG_BYTES;
    const width = Math.ceil(image.width / kernel.width);
    const height = Math.ceil(image.height / kernel.height);
    return maxAnyFragmentBytes(width, height, MAX_SEALED_MANIFEST_BYTES) + ENCRYPTION_TAG_BYTES;
  },
};
