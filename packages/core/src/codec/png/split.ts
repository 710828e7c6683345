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
import { sniffFormat } from "../../image/header.js";
import { serializeManifest } from "../../manifest/manifest.js";
import type { Manifest } from "../../manifest/schema.js";
import { chooseColorType, encodePng } from "../../png/encode.js";
import { DEFAULT_DEFLATE_LEVEL, DEFAULT_PNG_FILTER, type PngSettings } from "../../png/settings.js";
import { rgbaToRaster } from "../../png/samples.js";
import { describeSource, proveImageData } from "../../png/source.js";
import { split } from "../../pooling/split.js";
import type { OnProgress } from "../../progress.js";
import type { EncodedFragment, Fidelity, SectionOf } from "../codec.js";
import { checkUnixFs, describeFragments } from "../manifest.js";
import { readPng, type ReadPng } from "./decode.js";
import { encodeEach } from "./encode-each.js";
import { encodeDeepFragments, isDeep, type EncodedFragmentFiles } from "./deep.js";

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
  /** The RGBA pixels pooled and hashed (for a 16-bit PNG, each sample's high byte). */
  readonly image: DecodedImage;
  /** fileExact: a full rebuild gives the stored PNG byte for byte (proven here); else its content. */
  readonly fidelity: Exclude<Fidelity, "approximate">;
}

/**
 * The store side of the pixel codec, without a node: decode (size-checked) → split by the kernel →
 * encode every fragment as PNG (concurrently) → offline CIDs and SHA-256 → manifest. A PNG keeps
 * its structure in the manifest (chunks, header, and how its image data was written once that is
 * proven to reproduce it); a 16-bit PNG is pooled on its own samples, in 16-bit fragments.
 */
export async function splitImageFile(
  bytes: Uint8Array,
  options: SplitImageOptions,
): Promise<SplitImageResult> {
  const { onProgress, signal } = options;
  const unixfs = checkUnixFs(options.unixfs ?? DEFAULT_UNIXFS);
  onProgress?.({ phase: "decode", done: 0, total: 1 });
  const png = sniffFormat(bytes) === "png" ? await readPng(bytes, options.maxPixels) : undefined;
  const image: DecodedImage =
    png === undefined
      ? await decodeImage(bytes, { maxPixels: options.maxPixels })
      : { format: "png", ...png.rgba };
  const source = png === undefined ? undefined : describeSource(png.file, bytes);
  onProgress?.({ phase: "decode", done: 1, total: 1 });
  signal?.throwIfAborted();

  const filter = options.png?.filter ?? DEFAULT_PNG_FILTER;
  const deflateLevel = options.png?.deflateLevel ?? DEFAULT_DEFLATE_LEVEL;
  const deep = png !== undefined && isDeep(png.file.ihdr);
  const { layout, files, section } = deep
    ? encodeDeepFragments(png, options.kernel, { filter, deflateLevel }, onProgress, signal)
    : encodeRgbaFragments(image, options.kernel, { filter, deflateLevel }, onProgress, signal);
  const imageData =
    png === undefined ? null : await proveImageData(png.file, bytes, png.raster, png.filtered, rowsBack(png));
  const stored = await describeFragments(await files, unixfs, onProgress, signal);

  const codec: SectionOf<"png"> = {
    ...section,
    ...(source === undefined ? {} : { source: { ...source, imageData } }),
  };
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
    codec,
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
  return {
    manifest,
    manifestBytes: serializeManifest(manifest),
    fragments: stored,
    image,
    fidelity: imageData === null ? "contentExact" : "fileExact",
  };
}

/** The raster a rebuild will have: a 16-bit PNG's own samples, else the one its RGBA gives back. */
function rowsBack(png: ReadPng): Uint8Array | undefined {
  if (isDeep(png.file.ihdr)) return png.raster.rows;
  return rgbaToRaster(png.file.ihdr, png.rgba, png.colours);
}

/** 8-bit RGBA fragments, in the smallest PNG colour type that holds them exactly (pngjs). */
function encodeRgbaFragments(
  image: DecodedImage,
  kernel: Kernel,
  settings: Omit<PngSettings, "colorType">,
  onProgress: OnProgress | undefined,
  signal: AbortSignal | undefined,
): EncodedFragmentFiles {
  const { layout, fragments } = split(image, kernel);
  onProgress?.({ phase: "split", done: 1, total: 1 });
  const full: PngSettings = { colorType: chooseColorType(image), ...settings };
  const files = encodeEach(fragments, (fragment) => encodePng(fragment, full), onProgress, signal);

  return { layout, files, section: { name: "png", ...full } };
}
