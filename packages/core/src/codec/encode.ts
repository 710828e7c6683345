import { DEFAULT_UNIXFS } from "@disp/protocol";

import { checkedImageHeader } from "../image/decode.js";
import type { ImageHeader } from "../image/types.js";
import { JpegUnsupportedError } from "../jpeg/errors.js";
import type { EncodeImageOptions, EncodedImage, SplitOptions } from "./codec.js";
import { CodecError } from "./errors.js";
import { checkUnixFs } from "./manifest.js";
import { codecNamed } from "./registry.js";

/**
 * Encodes an image file for storage with the chosen codec: fragments with their CIDs and SHA-256,
 * and the canonical manifest. "auto" takes the JPEG coefficient codec for a JPEG it can read
 * (baseline, extended or progressive), and otherwise the pixel codec, saying why in `fallback` for
 * a JPEG. A malformed JPEG is refused (JPEG_INVALID), never stored from what a pixel decoder makes of it.
 */
export async function encodeImageFile(bytes: Uint8Array, options: EncodeImageOptions): Promise<EncodedImage> {
  const { codec: choice = "auto", ...rest } = options;
  const settled: SplitOptions = { ...rest, unixfs: checkUnixFs(options.unixfs ?? DEFAULT_UNIXFS) };
  // Every codec refuses a non-image or an oversized one the same way, before any work.
  const header = checkedImageHeader(bytes, { maxPixels: options.maxPixels });
  if (choice === "auto") return encodeAuto(bytes, header, settled);
  const codec = codecNamed(choice);
  const refusal = codec.refuses(header);
  if (refusal !== undefined) throw new CodecError("CODEC_INPUT_MISMATCH", refusal);
  return codec.split(bytes, header, settled);
}

async function encodeAuto(
  bytes: Uint8Array,
  header: ImageHeader,
  options: SplitOptions,
): Promise<EncodedImage> {
  const jpeg = codecNamed("jpeg");
  const pixels = codecNamed("png");
  if (jpeg.refuses(header) !== undefined) return pixels.split(bytes, header, options);
  try {
    return await jpeg.split(bytes, header, options);
  } catch (error) {
    if (!(error instanceof JpegUnsupportedError)) throw error;
    const encoded = await pixels.split(bytes, header, options);
    return { ...encoded, fallback: { code: error.code, reason: error.reason } };
  }
}
