import { ImageError } from "../errors.js";
import { corrupt, need } from "./checks.js";
import { FILE_KINDS, isImageFormat, sniffFileFormat } from "./media.js";
import { readTiffHeader } from "./tiff.js";
import type { ImageFormat, ImageHeader } from "./types.js";

/**
 * Reads an image's size and bit depth from its header alone, so that the size limit is enforced
 * before a decoder allocates anything. Every read is bounds-checked: a short or lying header is a
 * typed error, never an exception from a DataView.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "the image file is empty");
  const sniffed = sniffFileFormat(bytes);
  if (sniffed === "bin") {
    throw new ImageError(
      "IMAGE_UNKNOWN_FORMAT",
      "not a PNG, JPEG, BMP, GIF or TIFF image (unrecognised file signature)",
    );
  }
  if (!isImageFormat(sniffed)) {
    throw new ImageError(
      "IMAGE_UNSUPPORTED",
      `a ${FILE_KINDS[sniffed].name} (${FILE_KINDS[sniffed].mediaType}): DISP decodes PNG, JPEG, BMP, GIF and TIFF images only`,
    );
  }
  const format = sniffed;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = HEADER_READERS[format];
  let header: RawHeader;
  try {
    header = reader(view);
  } catch (error) {
    // Every read is meant to be checked; a DataView range error is the safety net for a miss.
    if (error instanceof RangeError) throw corrupt(format, "the header is truncated");
    throw error;
  }
  if (header.width <= 0 || header.height <= 0) {
    throw corrupt(format, `its header declares an empty size ${header.width} × ${header.height}`);
  }
  return { ...header, pixelsToDecode: header.pixelsToDecode ?? header.width * header.height };
}

/** The image format a file's signature names, when it is one DISP decodes; else undefined. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const format = sniffFileFormat(bytes);
  return isImageFormat(format) ? format : undefined;
}

/** What a format reader returns; pixelsToDecode defaults to width * height. */
export type RawHeader = Omit<ImageHeader, "pixelsToDecode"> & { readonly pixelsToDecode?: number };

const HEADER_READERS: Record<ImageFormat, (view: DataView) => RawHeader> = {
  png: readPngHeader,
  jpeg: readJpegHeader,
  bmp: readBmpHeader,
  gif: readGifHeader,
  tiff: readTiffHeader,
};

function readPngHeader(view: DataView): RawHeader {
  need(view, "png", 29);
  const isIhdr = view.getUint32(12) === 0x49484452; // "IHDR" must be the first chunk
  if (view.getUint32(8) !== 13 || !isIhdr) throw corrupt("png", "the first chunk is not a 13-byte IHDR");
  const bitDepth = view.getUint8(24);
  const colorType = view.getUint8(25);
  // Palette entries are 8-bit whatever the index depth; 1/2/4-bit grey expands exactly to 8.
  const bitsPerChannel = colorType === 3 ? 8 : Math.max(8, bitDepth);
  return { format: "png", width: view.getUint32(16), height: view.getUint32(20), bitsPerChannel };
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegHeader(view: DataView): RawHeader {
  let offset = 2;
  for (;;) {
    need(view, "jpeg", offset + 2);
    if (view.getUint8(offset) !== 0xff) throw corrupt("jpeg", `no marker at byte ${offset}`);
    const marker = view.getUint8(offset + 1);
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) throw corrupt("jpeg", "no frame header before the image data");
    need(view, "jpeg", offset + 4);
    const length = view.getUint16(offset + 2);
    if (length < 2) throw corrupt("jpeg", `segment length ${length} at byte ${offset}`);
    if (isStartOfFrame(marker)) {
      need(view, "jpeg", offset + 9);
      const precision = view.getUint8(offset + 4);
      const height = view.getUint16(offset + 5);
      const width = view.getUint16(offset + 7);
      // Height 0 defers the size to a DNL marker after the scan: we cannot check it up front.
      if (height === 0)
        throw corrupt("jpeg", "the frame header defers its height (DNL), which is not supported");
      return { format: "jpeg", width, height, bitsPerChannel: precision };
    }
    offset += 2 + length;
  }
}

function readBmpHeader(view: DataView): RawHeader {
  need(view, "bmp", 18);
  const dibSize = view.getUint32(14, true);
  if (dibSize === 12) {
    need(view, "bmp", 26);
    return {
      format: "bmp",
      width: view.getUint16(18, true),
      height: view.getUint16(20, true),
      bitsPerChannel: 8,
    };
  }
  if (dibSize < 40) throw corrupt("bmp", `unknown DIB header size ${dibSize}`);
  need(view, "bmp", 30);
  const bitsPerPixel = view.getUint16(28, true);
  if (bitsPerPixel > 32) {
    throw new ImageError(
      "IMAGE_UNSUPPORTED",
      `${bitsPerPixel}-bit BMP is not supported: DISP keeps 8 bits per channel and never reduces depth silently`,
    );
  }
  // A negative height marks a top-down bitmap; the size is its magnitude.
  const height = Math.abs(view.getInt32(22, true));
  return { format: "bmp", width: view.getInt32(18, true), height, bitsPerChannel: 8 };
}

/**
 * The logical screen, plus the first frame's descriptor: jimp decodes frame 0, and its decoder
 * allocates that frame's own width × height before blitting it onto the screen, so a frame far
 * larger than the screen would be a bomb the screen size alone does not show.
 */
function readGifHeader(view: DataView): RawHeader {
  need(view, "gif", 13);
  const width = view.getUint16(6, true);
  const height = view.getUint16(8, true);
  const flags = view.getUint8(10);
  let offset = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  for (;;) {
    need(view, "gif", offset + 1);
    const block = view.getUint8(offset);
    if (block === 0x2c) break;
    if (block !== 0x21) throw corrupt("gif", "no image before the end of the file");
    offset += 2; // extension introducer and label, then data sub-blocks up to a zero length
    for (;;) {
      need(view, "gif", offset + 1);
      const length = view.getUint8(offset);
      offset += 1 + length;
      if (length === 0) break;
    }
  }
  need(view, "gif", offset + 10);
  const left = view.getUint16(offset + 1, true);
  const top = view.getUint16(offset + 3, true);
  const frameWidth = view.getUint16(offset + 5, true);
  const frameHeight = view.getUint16(offset + 7, true);
  if (left + frameWidth > width || top + frameHeight > height) {
    throw corrupt(
      "gif",
      `its first frame (${frameWidth} × ${frameHeight} at ${left}, ${top}) lies outside the image`,
    );
  }
  return {
    format: "gif",
    width,
    height,
    bitsPerChannel: 8,
    pixelsToDecode: width * height + frameWidth * frameHeight,
  };
}
