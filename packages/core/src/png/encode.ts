import { type RgbaImage } from "@disp/protocol";
import { PNG, type ColorType } from "pngjs";

import { PNG_FILTERS, type PngColorType, type PngSettings } from "./settings.js";

const COLOR_TYPE_CODE: Record<PngColorType, ColorType> = { gray: 0, "gray-alpha": 4, rgb: 2, rgba: 6 };
const CHANNELS: Record<PngColorType, number> = { gray: 1, "gray-alpha": 2, rgb: 3, rgba: 4 };

/**
 * The smallest PNG colour type that holds every pixel exactly: grey when R = G = B everywhere, no
 * alpha channel when every pixel is opaque. Decoding such a PNG gives back the same RGBA.
 */
export function chooseColorType(image: RgbaImage): PngColorType {
  const { data } = image;
  let opaque = true;
  let gray = true;
  for (let p = 0; p < data.length && (opaque || gray); p += 4) {
    const r = data[p];
    if (data[p + 3] !== 255) opaque = false;
    if (data[p + 1] !== r || data[p + 2] !== r) gray = false;
  }
  if (gray) return opaque ? "gray" : "gray-alpha";
  return opaque ? "rgb" : "rgba";
}

/**
 * Encodes RGBA pixels as a PNG with pngjs (jimp's PNG codec) under `settings`. Deflate runs on
 * Node's zlib thread pool, so encoding several fragments at once uses every core. The caller must
 * have chosen a colour type that holds the pixels exactly (see chooseColorType).
 */
export async function encodePng(image: RgbaImage, settings: PngSettings): Promise<Uint8Array> {
  const colorType = COLOR_TYPE_CODE[settings.colorType];
  // Width and height are set after construction: given to the constructor, pngjs allocates (and
  // zero-fills) a pixel buffer we would throw away.
  const png = new PNG({
    colorType,
    inputColorType: colorType,
    inputHasAlpha: settings.colorType === "rgba" || settings.colorType === "gray-alpha",
    bitDepth: 8,
    filterType: filterCode(settings.filter),
    deflateLevel: settings.deflateLevel,
    deflateStrategy: 0,
  });
  png.width = image.width;
  png.height = image.height;
  png.data = packChannels(image.data, settings.colorType);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    png.on("data", (chunk: Buffer) => chunks.push(chunk));
    png.on("end", () => resolve());
    png.on("error", (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
    png.pack();
  });
  const bytes = Buffer.concat(chunks);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function filterCode(filter: PngSettings["filter"]): number {
  return filter === "adaptive" ? -1 : PNG_FILTERS.indexOf(filter);
}

/**
 * Keeps only the channels the colour type stores. pngjs can convert itself, but its general
 * per-pixel converter is several times slower than these straight loops; with input and output
 * types equal it takes the buffer as it is.
 */
function packChannels(rgba: Uint8Array, colorType: PngColorType): Buffer {
  if (colorType === "rgba") return Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const pixels = rgba.length >> 2;
  const out = Buffer.allocUnsafe(pixels * CHANNELS[colorType]);
  if (colorType === "rgb") {
    for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
      out[q] = rgba[p] as number;
      out[q + 1] = rgba[p + 1] as number;
      out[q + 2] = rgba[p + 2] as number;
    }
  } else if (colorType === "gray") {
    for (let p = 0, q = 0; p < rgba.length; p += 4, q++) out[q] = rgba[p] as number;
  } else {
    for (let p = 0, q = 0; p < rgba.length; p += 4, q += 2) {
      out[q] = rgba[p] as number;
      out[q + 1] = rgba[p + 3] as number;
    }
  }
  return out;
}
