import type { Hex32, Kernel, ManifestOf, RgbaImage, UnixFsSettings } from "@disp/protocol";

import { FILE_KINDS } from "../image/media.js";
import type { ImageFormat, ImageHeader } from "../image/types.js";
import type { Manifest, ManifestCodec } from "../manifest/schema.js";
import type { OnProgress } from "../progress.js";

/**
 * png: pooled pixels, fragments are PNGs (any input format). jpeg: pooled DCT coefficients of a
 * sequential or progressive JPEG, fragments are JPEGs, the original file back byte for byte (or
 * its coefficients re-encoded, for a progressive file its encoder wrote in a way ours does not). file: no pooling, one
 * fragment that is the original file (classic full replication, the opt-out of DISP).
 */
export type CodecName = ManifestCodec["name"];
/** What a store may ask for: "sealed" is the public section of an encrypted version, never split. */
export type CodecChoice = "auto" | Exclude<CodecName, "sealed">;

/** A codec's manifest section, by the codec's name. */
export type SectionOf<N extends CodecName> = Extract<ManifestCodec, { name: N }>;

/** Why a fragment file that was there was not used. */
export interface RejectedFragment {
  readonly index: number;
  readonly reason: string;
}

/** One fragment as stored: its file, the file's CID and SHA-256. */
export interface EncodedFragment {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly cid: string;
  readonly sha256: Hex32;
}

export interface EncodeImageOptions {
  /** Ignored (forced 1x1) for the file codec. */
  readonly kernel: Kernel;
  /** Default "auto": jpeg for JPEGs it can read (baseline, extended, progressive), else png. */
  readonly codec?: CodecChoice;
  readonly unixfs?: UnixFsSettings;
  /** Refuse images with more pixels than this, from the header (default 100 MP). */
  readonly maxPixels?: number;
  /** The file codec's limit on the file's size (default and most: MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
}

/** What a codec's split is handed: the options with the UnixFS settings checked and filled in. */
export type SplitOptions = Omit<EncodeImageOptions, "codec" | "unixfs"> & { readonly unixfs: UnixFsSettings };

export interface EncodedImage {
  readonly codec: CodecName;
  readonly manifest: Manifest;
  /** Canonical manifest bytes: what is stored, and what the manifest leaf hashes. */
  readonly manifestBytes: Uint8Array;
  readonly fragments: EncodedFragment[];
  /** The content hash registered on chain: manifest.contentHash.digest. */
  readonly contentHash: Hex32;
  readonly sourceBytes: number;
  /** What a rebuild from every fragment gives back ("approximate" never: that takes lost ones). */
  readonly fidelity: Exclude<Fidelity, "approximate">;
  /** Set when "auto" got a JPEG the coefficient codec cannot read (arithmetic, lossless...): why. */
  readonly fallback?: { readonly code: string; readonly reason: string };
}

export interface RebuildFileOptions {
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
  /** Refuse manifests (and files) of more pixels than this (default 100 MP). */
  readonly maxPixels?: number;
}

/** What a codec's rebuild is handed: the options with the pixel limit filled in. */
export type SettledRebuildOptions = RebuildFileOptions & { readonly maxPixels: number };

/**
 * What a rebuilt file is, said exactly: "fileExact" the stored file byte for byte; "contentExact"
 * the stored content (every pixel, and whatever the codec records of the file) in a re-encoded
 * file; "approximate" an estimate from the fragments at hand.
 */
export type Fidelity = "fileExact" | "contentExact" | "approximate";

export interface RebuiltImage {
  readonly codec: CodecName;
  readonly fidelity: Fidelity;
  /** The output file: the original bytes (jpeg/file codec, exact) or a PNG (pixel codec, or any approximate result). */
  readonly bytes: Uint8Array;
  /** "png" | "jpg" | the file codec's original format extension. */
  readonly extension: string;
  readonly exact: boolean;
  /**
   * exact and the content hash of the result equals the manifest's (pixel hash, or sha256 of the
   * file); for a contentExact JPEG, the SHA-256 its layout records for the re-encoded file.
   */
  readonly contentHashVerified: boolean;
  /** Fragments absent or rejected, ascending. */
  readonly missing: number[];
  /** Present but not matching the manifest (size/CID/sha256/decode): never used. */
  readonly rejected: RejectedFragment[];
  readonly estimatedPixels: number;
  /** Decoded RGBA of the result, in the same orientation for exact and approximate results of one manifest, so psnr() compares them. */
  pixels(): Promise<RgbaImage>;
}

/**
 * One way of turning an image file into fragments and back. Every codec is reached through the
 * registry (`codecNamed`, `codecOf`): nothing outside it decides by a codec's name.
 */
export interface Codec<S extends ManifestCodec = ManifestCodec> {
  readonly name: S["name"];
  /**
   * Whether it pools by a kernel into fragments for a community's slots (png, jpeg), or keeps the
   * whole file as one fragment (file: classic replication, the opt-out of DISP).
   */
  readonly pools: boolean;
  /** Why this codec cannot take a file with this (size-checked) header; undefined when it can. */
  refuses(header: ImageHeader): string | undefined;
  /**
   * The fragments, their CIDs and the canonical manifest of `bytes`. A pooling codec is handed the
   * size-checked image header; one that does not pool takes any file and is handed none.
   */
  split(bytes: Uint8Array, header: ImageHeader | undefined, options: SplitOptions): Promise<EncodedImage>;
  /**
   * Every present file is checked against the manifest first; one that fails is rejected and treated
   * as missing. All fragments good: the merge (exact); some missing: the recovery (approximate);
   * none usable: CodecError NO_FRAGMENTS.
   */
  rebuild(
    manifest: ManifestOf<S>,
    files: readonly (Uint8Array | undefined)[],
    options: SettledRebuildOptions,
  ): Promise<RebuiltImage>;
  /** The content hash of a file as this codec's manifests record it. */
  contentHashOf(file: Uint8Array, options: { readonly maxPixels?: number }): Promise<Hex32>;
  /** File name extension of this codec's fragment files. */
  fragmentExtension(section: S): string;
  /**
   * The largest file fragment `index` of `manifest` can be, from the manifest's geometry alone, so
   * that a node refuses a manifest declaring more before fetching anything (the file codec, whose
   * file has no geometry: its byte limit, MAX_FILE_BYTES).
   */
  maxFragmentBytes(manifest: ManifestOf<S>, index: number): number;
}

/** File name extension of each image format, for fragment and output files. */
export const FORMAT_EXTENSIONS: Readonly<Record<ImageFormat, string>> = {
  png: FILE_KINDS.png.extension,
  jpeg: FILE_KINDS.jpeg.extension,
  bmp: FILE_KINDS.bmp.extension,
  gif: FILE_KINDS.gif.extension,
  tiff: FILE_KINDS.tiff.extension,
};
