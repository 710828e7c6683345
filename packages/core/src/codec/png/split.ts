import {
  DEFAULT_UNIXFS,
  MANIFEST_SCHEMA,
  PIXEL_HASH_ALGORITHM,
  pixelHash,
  RGBA_BIT_DEPTH,
  RGBA_CHANNELS,
  type Kernel,
  type UnixFsSettings,
} from "@disp/protocol";

import { decodeImage, type DecodedImage } from "../../image/decode.js";
import { serializeManifest } from "../../manifest/manifest.js";
import type { Manifest } from "../../manifest/schema.js";
import { chooseColorType, encodePng } from "../../png/encode.js";
import { DEFAULT_DEFLATE_LEVEL, DEFAULT_PNG_FILTER, type PngSettings } from "../../png/settings.js";
import { split } from "../../pooling/split.js";
import type { OnProgress } from "../../progress.js";
import type { EncodedFragment } from "../codec.js";
import { checkUnixFs, describeFragments } from "../manifest.js";

export interface SplitImageOptions {
  readonly kernel: Kernel;
  /** UnixFS import settings for the fragment CIDs (default: Kubo's `add --cid-version 1`). */
  readonly unixfs?: UnixFsSettings;
  /** Decode limit in pixels (default 100 MP). */
  readonly maxPixels?: number;
  /** PNG filter and deflate level for the fragments; the colour type follows the pixels. */
  readonly png?: Partial<Omit<PngSettings, "colorType">>;
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
}

export interface SplitImageResult {
  readonly manifest: Manifest;
  /** Canonical manifest bytes: what is stored, and what the manifest leaf hashes. */
  readonly manifestBytes: Uint8Array;
  readonly fragments: EncodedFragment[];
  readonly image: DecodedImage;
}

/**
 * The store side of the pixel codec, without a node: decode (size-checked) → split by the kernel →
 * encode every fragment as PNG (concurrently) → offline CIDs and SHA-256 → manifest.
 */
export async function splitImageFile(
  bytes: Uint8Array,
  options: SplitImageOptions,
): Promise<SplitImageResult> {
  const { onProgress, signal } = options;
  const unixfs = checkUnixFs(options.unixfs ?? DEFAULT_UNIXFS);
  onProgress?.({ phase: "decode", done: 0, total: 1 });
  const image = await decodeImage(bytes, { maxPixels: options.maxPixels });
  onProgress?.({ phase: "decode", done: 1, total: 1 });
  signal?.throwIfAborted();

  const { layout, fragments } = split(image, options.kernel);
  onProgress?.({ phase: "split", done: 1, total: 1 });
  const settings: PngSettings = {
    colorType: chooseColorType(image),
    filter: options.png?.filter ?? DEFAULT_PNG_FILTER,
    deflateLevel: options.png?.deflateLevel ?? DEFAULT_DEFLATE_LEVEL,
  };

  let encoded = 0;
  const total = fragments.length;
  onProgress?.({ phase: "encode", done: 0, total });
  const files = await Promise.all(
    fragments.map(async (fragment) => {
      signal?.throwIfAborted();
      const file = await encodePng(fragment, settings);
      onProgress?.({ phase: "encode", done: ++encoded, total });
      return file;
    }),
  );

  const stored = await describeFragments(files, unixfs, onProgress, signal);

  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    image: {
      width: layout.imageWidth,
      height: layout.imageHeight,
      channels: RGBA_CHANNELS,
      bitDepth: RGBA_BIT_DEPTH,
    },
    kernel: { height: layout.kernel.height, width: layout.kernel.width },
    padding: layout.padding,
    codec: { name: "png", ...settings },
    contentHash: { algorithm: PIXEL_HASH_ALGORITHM, digest: pixelHash(image) },
    unixfs: { ...unixfs },
    fragments: stored.map(({ index, bytes: file, cid, sha256 }) => ({
      index,
      cid,
      size: file.length,
      sha256,
    })),
    parity: null,
    encryption: null,
    proofs: null,
  };
  return { manifest, manifestBytes: serializeManifest(manifest), fragments: stored, image };
}
