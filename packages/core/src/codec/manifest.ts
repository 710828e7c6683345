import {
  computeCid,
  DispError,
  unixFsSchema,
  MANIFEST_SCHEMA,
  PADDING_RULE,
  RGBA_BIT_DEPTH,
  RGBA_CHANNELS,
  sha256Hex,
  type Kernel,
  type UnixFsSettings,
} from "@disp/protocol";

import { serializeManifest } from "../manifest/manifest.js";

import type { Manifest, ManifestCodec } from "../manifest/schema.js";
import type { OnProgress } from "../progress.js";
import type { CodecName, EncodedFragment, EncodedImage } from "./codec.js";

/** Each fragment file with its offline CID and SHA-256, in index order. */
export async function describeFragments(
  files: readonly Uint8Array[],
  unixfs: UnixFsSettings,
  onProgress?: OnProgress,
  signal?: AbortSignal,
): Promise<EncodedFragment[]> {
  const stored: EncodedFragment[] = [];
  for (const [index, bytes] of files.entries()) {
    signal?.throwIfAborted();
    const cid = await computeCid(bytes, unixfs);
    stored.push({ index, bytes, cid: cid.toString(), sha256: sha256Hex(bytes) });
    onProgress?.({ phase: "cid", done: index + 1, total: files.length });
  }
  return stored;
}

export interface FileCodecParts {
  readonly source: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly kernel: Kernel;
  readonly codec: Extract<ManifestCodec, { name: Exclude<CodecName, "png"> }>;
  readonly unixfs: UnixFsSettings;
  readonly fragments: EncodedFragment[];
}

/** The manifest of a codec whose content hash is the SHA-256 of the original file (jpeg, file). */
export function fileHashedImage(parts: FileCodecParts): EncodedImage {
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    image: { width: parts.width, height: parts.height, channels: RGBA_CHANNELS, bitDepth: RGBA_BIT_DEPTH },
    kernel: { height: parts.kernel.height, width: parts.kernel.width },
    padding: PADDING_RULE,
    codec: parts.codec,
    contentHash: { algorithm: "sha256", digest: sha256Hex(parts.source) },
    unixfs: { ...parts.unixfs },
    fragments: parts.fragments.map(({ index, bytes, cid, sha256 }) => ({
      index,
      cid,
      size: bytes.length,
      sha256,
    })),
    parity: null,
    encryption: null,
    proofs: null,
  };
  return {
    codec: parts.codec.name,
    manifest,
    manifestBytes: serializeManifest(manifest),
    fragments: parts.fragments,
    contentHash: manifest.contentHash.digest,
    sourceBytes: parts.source.length,
    // The JPEG and file codecs give back the very bytes they were handed.
    fidelity: "fileExact",
  };
}

/** Refuses settings the manifest could not record, before any work is done. */
export function checkUnixFs(settings: UnixFsSettings): UnixFsSettings {
  const result = unixFsSchema.safeParse(settings);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? "" : `${issue.path.join(".")}: `;
    throw new DispError(
      "UNIXFS_SETTINGS_INVALID",
      `invalid UnixFS settings: ${where}${issue?.message ?? "rejected"}`,
    );
  }
  return settings;
}
