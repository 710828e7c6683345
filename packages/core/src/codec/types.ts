import { type Kernel, type RgbaImage, type UnixFsSettings } from "@disp/protocol";

import type { ImageFormat } from "../image/types.js";
import type { Manifest } from "../manifest/schema.js";
import type { OnProgress } from "../progress.js";
import type { EncodedFragment } from "../store-pipeline.js";
import type { RejectedFragment } from "../rebuild-pipeline.js";

/**
 * png: pooled pixels, fragments are PNGs (any input format). jpeg: pooled DCT coefficients of a
 * baseline JPEG, fragments are JPEGs, the original file back byte for byte. file: no pooling, one
 * fragment that is the original file (classic full replication, the opt-out of DISP).
 */
export type CodecName = "png" | "jpeg" | "file";
export type CodecChoice = "auto" | CodecName;

export const CODEC_NAMES: readonly CodecName[] = ["png", "jpeg", "file"];
export const CODEC_CHOICES: readonly CodecChoice[] = ["auto", ...CODEC_NAMES];

export interface EncodeImageOptions {
  /** Ignored (forced 1x1) for the file codec. */
  readonly kernel: Kernel;
  /** Default "auto": jpeg for JPEGs it can take byte-exactly, else png. */
  readonly codec?: CodecChoice;
  readonly unixfs?: UnixFsSettings;
  /** Refuse images with more pixels than this, from the header (default 100 MP). */
  readonly maxPixels?: number;
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
}

export interface EncodedImage {
  readonly codec: CodecName;
  readonly manifest: Manifest;
  /** Canonical manifest bytes: what is stored, and what the manifest leaf hashes. */
  readonly manifestBytes: Uint8Array;
  readonly fragments: EncodedFragment[];
  /** The content hash registered on chain: manifest.contentHash.digest. */
  readonly contentHash: `0x${string}`;
  readonly sourceBytes: number;
  /** Set when "auto" got a JPEG the coefficient codec cannot take byte-exactly: why, and what it costs. */
  readonly fallback?: { readonly code: string; readonly reason: string };
}

export interface RebuildFileOptions {
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
  /** Refuse manifests (and files) of more pixels than this (default 100 MP). */
  readonly maxPixels?: number;
}

export interface RebuiltImage {
  readonly codec: CodecName;
  /** The output file: the original bytes (jpeg/file codec, exact) or a PNG (pixel codec, or any approximate result). */
  readonly bytes: Uint8Array;
  /** "png" | "jpg" | the file codec's original format extension. */
  readonly extension: string;
  readonly exact: boolean;
  /** exact and the content hash of the result equals the manifest's (pixel hash, or sha256 of the file). */
  readonly contentHashVerified: boolean;
  /** Fragments absent or rejected, ascending. */
  readonly missing: number[];
  /** Present but not matching the manifest (size/CID/sha256/decode): never used. */
  readonly rejected: RejectedFragment[];
  readonly estimatedPixels: number;
  /** Decoded RGBA of the result, in the same orientation for exact and approximate results of one manifest, so psnr() compares them. */
  pixels(): Promise<RgbaImage>;
}

/** File name extension of each image format, for fragment and output files. */
export const FORMAT_EXTENSIONS: Readonly<Record<ImageFormat, string>> = {
  png: "png",
  jpeg: "jpg",
  bmp: "bmp",
  gif: "gif",
  tiff: "tiff",
};

/** Extension of a manifest's fragment files: png, jpg, or the replicated file's own. */
export function fragmentExtension(manifest: Manifest): string {
  const { codec } = manifest;
  if (codec.name === "png") return "png";
  if (codec.name === "jpeg") return "jpg";
  return FORMAT_EXTENSIONS[codec.format];
}
