import { sha256Hex } from "@disp/protocol";

import { sniffFormat } from "../image/header.js";
import type { Manifest, ManifestCodec } from "../manifest/schema.js";
import type { Codec, CodecChoice, CodecName, Fidelity, SectionOf } from "./codec.js";
import { fileCodec } from "./file/index.js";
import { jpegCodec } from "./jpeg/index.js";
import { pngCodec } from "./png/index.js";
import { sealedCodec } from "./sealed/index.js";

type Registry = { readonly [N in CodecName]: Codec<SectionOf<N>> };

/** Every codec, by the name its manifests carry. */
const CODECS: Registry = { png: pngCodec, jpeg: jpegCodec, file: fileCodec, sealed: sealedCodec };

export const CODEC_NAMES: readonly CodecName[] = Object.freeze(Object.keys(CODECS) as CodecName[]);
/** What a store may ask for: every codec that splits a file ("sealed" is written by encryption). */
export const CODEC_CHOICES: readonly CodecChoice[] = Object.freeze([
  "auto",
  ...CODEC_NAMES.filter((name): name is Exclude<CodecName, "sealed"> => name !== "sealed"),
]);

/** The codec of that name. */
export function codecNamed<N extends CodecName>(name: N): Registry[N] {
  return CODECS[name];
}

/** The codec that wrote a manifest's codec section. */
export function codecOf(section: ManifestCodec): Codec {
  return codecNamed(section.name);
}

/** File name extension of a manifest's fragment files: png, jpg, or the replicated file's own. */
export function fragmentExtension(manifest: { readonly codec: ManifestCodec }): string {
  return codecOf(manifest.codec).fragmentExtension(manifest.codec);
}

/** The largest file fragment `index` of a manifest can be, by its codec. */
export function maxFragmentBytes(manifest: Manifest, index: number): number {
  return codecOf(manifest.codec).maxFragmentBytes(manifest, index);
}

/**
 * Whether `file` is the content a (proven) manifest registered, by the content hash its codec
 * records: the SHA-256 of the file for the file and JPEG codecs, the pixel hash of its decoded
 * pixels for the pixel codec (so a PNG holding the same pixels as the stored image matches too).
 */
export async function fileMatchesContentHash(
  manifest: { readonly codec: ManifestCodec; readonly contentHash: { readonly digest: string } },
  file: Uint8Array,
  options: { readonly maxPixels?: number } = {},
): Promise<boolean> {
  return (await codecOf(manifest.codec).contentHashOf(file, options)) === manifest.contentHash.digest;
}

/**
 * What `file` is of a (proven) manifest's content, when it is that content: "fileExact" when it is
 * the stored file byte for byte (its SHA-256 is the content hash of the file and JPEG codecs, or the
 * stored PNG's own, which the pixel codec records beside its pixel hash), "contentExact" when it
 * holds the pixels of a pixel hash in another file; undefined when it is not the content at all,
 * or, for a 16-bit image, when it is not the stored file (its pixel hash covers 8 bits a sample).
 */
export async function fileFidelity(
  manifest: {
    readonly codec: ManifestCodec;
    readonly contentHash: { readonly algorithm: string; readonly digest: string };
  },
  file: Uint8Array,
  options: { readonly maxPixels?: number } = {},
): Promise<Exclude<Fidelity, "approximate"> | undefined> {
  const { codec } = manifest;
  if (codec.name === "png" && codec.source !== undefined && sha256Hex(file) === codec.source.sha256) {
    return "fileExact";
  }
  // The pixel hash covers 8 bits a sample: of a 16-bit image it proves the stored file only.
  if (codec.name === "png" && codec.bitDepth === 16) return undefined;
  const fileHashed = manifest.contentHash.algorithm === "sha256";
  // A file DISP does not decode holds no pixels: not the content of a pixel hash, rather than an error.
  if (!fileHashed && sniffFormat(file) === undefined) return undefined;
  if (!(await fileMatchesContentHash(manifest, file, options))) return undefined;
  return fileHashed ? "fileExact" : "contentExact";
}
