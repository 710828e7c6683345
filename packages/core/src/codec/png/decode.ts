import type { RgbaImage } from "@disp/protocol";

import { ImageError } from "../../errors.js";
import {
  checkedImageHeader,
  decodeImage,
  DEFAULT_MAX_PIXELS,
  type DecodedImage,
} from "../../image/decode.js";
import { sniffFormat } from "../../image/header.js";
import { readPngFile, scanlineBytes, type PngFile } from "../../png/chunks.js";
import { readRaster, type PngRaster } from "../../png/raster.js";
import { rasterToRgba, type PngColours } from "../../png/samples.js";
import { coloursOf } from "../../png/source.js";

/** A PNG as the pixel codec reads it: its chunks, its raster (samples as stored) and its RGBA. */
export interface ReadPng {
  readonly file: PngFile;
  readonly raster: PngRaster;
  /** The inflated, still filtered image data: what the file's IDAT stream compresses. */
  readonly filtered: Uint8Array;
  readonly colours: PngColours;
  readonly rgba: RgbaImage;
}

/**
 * Reads a PNG with DISP's own decoder (size-checked first): every chunk's CRC, one inflate bounded
 * by the header's size, the raster at its own depth, and its RGBA (16-bit reduced to the high byte).
 */
export async function readPng(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Promise<ReadPng> {
  checkedImageHeader(bytes, { maxPixels });
  const file = readPngFile(bytes);
  const rasterBytes = scanlineBytes(file.ihdr, file.ihdr.width) * file.ihdr.height;
  if (rasterBytes > maxPixels * 4) {
    // Deep samples count for what they take: the limit is the RGBA bytes of maxPixels.
    const { width, height, bitDepth } = file.ihdr;
    throw new ImageError(
      "IMAGE_TOO_LARGE",
      `the ${bitDepth}-bit image is ${width} × ${height}: ${rasterBytes} bytes of samples, over the ` +
        `${maxPixels * 4} bytes (${maxPixels} RGBA pixels) allowed`,
    );
  }
  const { raster, filtered } = await readRaster(file);
  const colours = coloursOf(file);
  return { file, raster, filtered, colours, rgba: rasterToRgba(file.ihdr, raster.rows, colours) };
}

/** The RGBA pixels the pixel codec hashes: a PNG's by readPng (any depth), other formats' by decodeImage. */
export async function storedPixels(bytes: Uint8Array, maxPixels?: number): Promise<DecodedImage> {
  if (sniffFormat(bytes) !== "png") return decodeImage(bytes, { maxPixels });
  return { format: "png", ...(await readPng(bytes, maxPixels)).rgba };
}
