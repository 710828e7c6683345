import { DEFAULT_UNIXFS } from "@disp/protocol";

import { checkedImageHeader } from "../image/decode.js";
import type { ImageHeader } from "../image/types.js";
import { JpegInvalidError, JpegUnsupportedError } from "../jpeg/errors.js";
import { splitJpeg } from "../jpeg/split.js";
import { checkKernel } from "../pooling/layout.js";
import { checkUnixFs, splitImageFile } from "../store-pipeline.js";
import { CodecError } from "./errors.js";
import { describeFragments, fileHashedImage } from "./manifest.js";
import type { EncodeImageOptions, EncodedImage } from "./types.js";

/**
 * Encodes an image file for storage with the chosen codec: fragments with their CIDs and SHA-256,
 * and the canonical manifest. "auto" takes the JPEG coefficient codec for a JPEG it can rebuild
 * byte for byte, and otherwise the pixel codec, saying why in `fallback` for a JPEG.
 */
export async function encodeImageFile(bytes: Uint8Array, options: EncodeImageOptions): Promise<EncodedImage> {
  const choice = options.codec ?? "auto";
  const unixfs = checkUnixFs(options.unixfs ?? DEFAULT_UNIXFS);
  const settled = { ...options, unixfs };
  // Every codec refuses a non-image or an oversized one the same way, before any work.
  const header = checkedImageHeader(bytes, { maxPixels: options.maxPixels });
  if (choice === "file") return encodeFile(bytes, header, settled);
  checkKernel(options.kernel);
  if (choice === "png") return encodePixels(bytes, settled);
  if (header.format !== "jpeg") {
    if (choice === "jpeg") {
      throw new CodecError(
        "CODEC_INPUT_MISMATCH",
        `the jpeg codec takes JPEG files only; this file is a ${header.format.toUpperCase()}`,
      );
    }
    return encodePixels(bytes, settled);
  }
  if (choice === "jpeg") return encodeJpeg(bytes, settled);
  try {
    return await encodeJpeg(bytes, settled);
  } catch (error) {
    if (!(error instanceof JpegUnsupportedError || error instanceof JpegInvalidError)) throw error;
    const reason = error instanceof JpegUnsupportedError ? error.reason : error.message;
    const encoded = await encodePixels(bytes, settled);
    return { ...encoded, fallback: { code: error.code, reason } };
  }
}

type Settled = EncodeImageOptions & Required<Pick<EncodeImageOptions, "unixfs">>;

async function encodePixels(bytes: Uint8Array, options: Settled): Promise<EncodedImage> {
  const { manifest, manifestBytes, fragments } = await splitImageFile(bytes, options);
  return {
    codec: "png",
    manifest,
    manifestBytes,
    fragments,
    contentHash: manifest.contentHash.digest,
    sourceBytes: bytes.length,
  };
}

async function encodeJpeg(bytes: Uint8Array, options: Settled): Promise<EncodedImage> {
  const { kernel, onProgress, signal } = options;
  onProgress?.({ phase: "split", done: 0, total: 1 });
  const { fragments, layout } = splitJpeg(
    bytes,
    { kh: kernel.height, kw: kernel.width },
    { maxPixels: options.maxPixels },
  );
  onProgress?.({ phase: "split", done: 1, total: 1 });
  return fileHashedImage({
    source: bytes,
    width: layout.width,
    height: layout.height,
    kernel,
    codec: { name: "jpeg", layout },
    unixfs: options.unixfs,
    fragments: await describeFragments(fragments, options.unixfs, onProgress, signal),
  });
}

/** The file codec does not decode: the header says it is an image of an allowed size, and that is all it needs. */
async function encodeFile(bytes: Uint8Array, header: ImageHeader, options: Settled): Promise<EncodedImage> {
  return fileHashedImage({
    source: bytes,
    width: header.width,
    height: header.height,
    kernel: { height: 1, width: 1 },
    codec: { name: "file", format: header.format },
    unixfs: options.unixfs,
    fragments: await describeFragments([bytes], options.unixfs, options.onProgress, options.signal),
  });
}
