import { DEFAULT_UNIXFS } from "@disp/protocol";

import { ImageError } from "../errors.js";
import { checkedImageHeader } from "../image/decode.js";
import { FILE_KINDS, isImageFormat, sniffFileFormat } from "../image/media.js";
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
 * a JPEG; a JPEG's fallback that would store more than MAX_FALLBACK_RATIO × the file is refused
 * (CODEC_FALLBACK_TOO_LARGE) unless the pixel codec is asked for by name. A malformed JPEG is refused (JPEG_INVALID), never stored from what a pixel decoder makes of it.
 * A codec that does not pool (file) takes any file; the pooling ones need an image they decode.
 */
export async function encodeImageFile(bytes: Uint8Array, options: EncodeImageOptions): Promise<EncodedImage> {
  const { codec: choice = "auto", ...rest } = options;
  const settled: SplitOptions = { ...rest, unixfs: checkUnixFs(options.unixfs ?? DEFAULT_UNIXFS) };
  const codec = choice === "auto" ? undefined : codecNamed(choice);
  if (codec !== undefined && !codec.pools) return codec.split(bytes, undefined, settled);
  // Every pooling codec refuses a non-image or an oversized one the same way, before any work.
  const header = poolableHeader(bytes, options.maxPixels);
  if (codec === undefined) return encodeAuto(bytes, header, settled);
  const refusal = codec.refuses(header);
  if (refusal !== undefined) throw new CodecError("CODEC_INPUT_MISMATCH", refusal);
  return codec.split(bytes, header, settled);
}

/** The size-checked header of an image a pooling codec can take; a file it cannot, refused saying what can. */
function poolableHeader(bytes: Uint8Array, maxPixels: number | undefined): ImageHeader {
  const format = bytes.length === 0 ? undefined : sniffFileFormat(bytes);
  if (format !== undefined && !isImageFormat(format)) {
    const { name, mediaType } = FILE_KINDS[format];
    const what =
      format === "bin"
        ? "not an image DISP decodes (unrecognised file signature)"
        : `a ${name} (${mediaType})`;
    throw new ImageError(
      format === "bin" ? "IMAGE_UNKNOWN_FORMAT" : "IMAGE_UNSUPPORTED",
      `the file is ${what}: no codec pools it into fragments (DISP pools PNG, JPEG, BMP, GIF and TIFF); ` +
        "store it whole with --mode replicate (the file codec)",
    );
  }
  return checkedImageHeader(bytes, { maxPixels });
}

/**
 * The most "auto" stores of a JPEG through its pixels, over the file's bytes, when the coefficient
 * codec cannot take it: past that it refuses, and the user asks for the pixel codec by name.
 */
export const MAX_FALLBACK_RATIO = 1.3;

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
    const ratio = encoded.fragments.reduce((sum, f) => sum + f.bytes.length, 0) / bytes.length;
    if (ratio > MAX_FALLBACK_RATIO) {
      throw new CodecError(
        "CODEC_FALLBACK_TOO_LARGE",
        `${error.reason}: its pixels would take ${ratio.toFixed(1)}× the file's bytes (more than ${MAX_FALLBACK_RATIO}×); ` +
          "store them anyway with --codec png, or the file whole with --mode replicate",
        [],
        { cause: error },
      );
    }
    return { ...encoded, fallback: { code: error.code, reason: error.reason } };
  }
}
