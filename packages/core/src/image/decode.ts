import { isDispError, type RgbaImage } from "@disp/protocol";
import { Jimp } from "jimp";

import { ImageError } from "../errors.js";
import { readImageHeader } from "./header.js";
import { checkPngImageData } from "./png.js";
import { decodeTiffFirstPage } from "./tiff.js";
import type { ImageFormat, ImageHeader } from "./types.js";

/** 100 megapixels: 400 MB of RGBA, the most one image may claim before anything is allocated. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeOptions {
  /** Refuse images with more pixels than this (checked from the header, before decoding). */
  readonly maxPixels?: number;
}

export interface DecodedImage extends RgbaImage {
  readonly format: ImageFormat;
}

/**
 * Decodes PNG, JPEG, BMP, GIF or TIFF bytes to 8-bit RGBA with jimp, after checking the header:
 * an image over `maxPixels` is refused before any pixel buffer exists. Images with more than 8 bits
 * per channel (16-bit PNG and TIFF, 12-bit JPEG) are refused rather than silently reduced. Grey,
 * palette and alpha-less images come back as the RGBA jimp produces for them; JPEGs are turned
 * upright by their EXIF orientation, as jimp does. A PNG whose image data is missing or short is
 * refused before jimp sees it (its PNG decoder would fill the gap from uninitialised memory).
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const header = checkedImageHeader(bytes, { maxPixels });
  checkBitDepth(header);
  const { format } = header;
  if (format === "png") await checkPngImageData(bytes);
  let bitmap: { width: number; height: number; data: Uint8Array };
  try {
    bitmap = format === "tiff" ? decodeTiffFirstPage(bytes) : await decodeWithJimp(bytes, maxPixels);
  } catch (error) {
    if (isDispError(error)) throw error;
    const detail = explain(error);
    throw new ImageError("IMAGE_CORRUPT", `corrupt or truncated ${format.toUpperCase()} file: ${detail}`, {
      cause: error,
    });
  }
  const { width: w, height: h, data } = bitmap;
  if (data.length !== w * h * 4) {
    throw new ImageError(
      "IMAGE_CORRUPT",
      `the ${format.toUpperCase()} decoder returned a short pixel buffer`,
    );
  }
  return { format, width: w, height: h, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function decodeWithJimp(
  bytes: Uint8Array,
  maxPixels: number,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const image = await Jimp.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    "image/jpeg": {
      // Our own limit was checked above; jpeg-js has its own, which must not be the stricter one.
      maxResolutionInMP: Math.ceil(maxPixels / 1e6) + 1,
      maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / 2 ** 20) + 64,
      // A damaged scan must be an error, not a picture with grey holes in it.
      tolerantDecoding: false,
    },
  });
  return image.bitmap;
}

/**
 * Reads the header (typed errors for anything that is not a supported image) and refuses an image
 * over `maxPixels` before any pixel buffer exists.
 */
export function checkedImageHeader(bytes: Uint8Array, options: DecodeOptions = {}): ImageHeader {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const header = readImageHeader(bytes);
  if (header.pixelsToDecode > maxPixels) {
    throw new ImageError(
      "IMAGE_TOO_LARGE",
      `the image is ${header.width} × ${header.height} (${megapixels(header.pixelsToDecode)} MP to decode), ` +
        `over the limit of ${megapixels(maxPixels)} MP`,
    );
  }
  return header;
}

/** Refuses more than 8 bits per channel rather than reducing the depth silently. */
function checkBitDepth(header: ImageHeader): void {
  if (header.bitsPerChannel > 8) {
    throw new ImageError(
      "IMAGE_UNSUPPORTED",
      `${header.bitsPerChannel}-bit ${header.format.toUpperCase()} is not supported: DISP keeps 8 bits per channel ` +
        "and never reduces depth silently; convert the image to 8 bits per channel first",
    );
  }
}

/** The decoders' messages, made plain where they are cryptic. */
function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/read requests waitng on finished stream|unexpected end of file/i.test(message))
    return "the file ends early";
  if (/crc error/i.test(message)) return `a checksum does not match, the file is damaged (${message})`;
  return message;
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toLocaleString("en-US", { maximumFractionDigits: 2 });
}
