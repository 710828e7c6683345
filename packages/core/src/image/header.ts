import { ImageError } from "../errors.js";
import type { ImageFormat, ImageHeader } from "./types.js";

/**
 * Reads an image's size and bit depth from its header alone, so that the size limit is enforced
 * before a decoder allocates anything. Every read is bounds-checked: a short or lying header is a
 * typed error, never an exception from a DataView.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "the image file is empty");
  const format = sniffFormat(bytes);
  if (format === undefined) {
    throw new ImageError(
      "IMAGE_UNKNOWN_FORMAT",
      "not a PNG, JPEG, BMP, GIF or TIFF image (unrecognised file signature)",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = HEADER_READERS[format];
  const header = reader(view);
  if (header.width <= 0 || header.height <= 0) {
    throw corrupt(format, `its header declares an empty size ${header.width} × ${header.height}`);
  }
  return { ...header, pixelsToDecode: header.pixelsToDecode ?? header.width * header.height };
}

/** The format a file's signature names, or undefined. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  const starts = (...signature: number[]) =>
    bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x42, 0x4d)) return "bmp";
  if (starts(0x47, 0x49, 0x46, 0x38, 0x37, 0x61) || starts(0x47, 0x49, 0x46, 0x38, 0x39, 0x61)) return "gif";
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return "tiff";
  return undefined;
}

function corrupt(format: ImageFormat, detail: string): ImageError {
  return new ImageError("IMAGE_CORRUPT", `corrupt or truncated ${format.toUpperCase()} file: ${detail}`);
}

function need(view: DataView, format: ImageFormat, end: number): void {
  if (end > view.byteLength) throw corrupt(format, "the header is truncated");
}

/** What a format reader returns; pixelsToDecode defaults to width * height. */
type RawHeader = Omit<ImageHeader, "pixelsToDecode"> & { readonly pixelsToDecode?: number };

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

function readGifHeader(view: DataView): RawHeader {
  need(view, "gif", 10);
  return {
    format: "gif",
    width: view.getUint16(6, true),
    height: view.getUint16(8, true),
    bitsPerChannel: 8,
  };
}

const TIFF_MAX_PAGES = 64;

/**
 * jimp's TIFF decoder decodes every page of the IFD chain, so the size limit must cover all of them:
 * the header reports the first page's size and the pixel count of every page together.
 */
function readTiffHeader(view: DataView): RawHeader {
  need(view, "tiff", 8);
  const le = view.getUint8(0) === 0x49;
  const u16 = (at: number) => (need(view, "tiff", at + 2), view.getUint16(at, le));
  const u32 = (at: number) => (need(view, "tiff", at + 4), view.getUint32(at, le));
  const value = (entry: number) => (u16(entry + 2) === 3 ? u16(entry + 8) : u32(entry + 8));

  let first: { width: number; height: number } | undefined;
  let totalPixels = 0;
  let ifd = u32(4);
  const seen = new Set<number>();
  for (let page = 0; ifd !== 0 && page < TIFF_MAX_PAGES; page++) {
    if (seen.has(ifd)) throw corrupt("tiff", "its page chain loops");
    seen.add(ifd);
    const count = u16(ifd);
    let width = 0;
    let height = 0;
    let bits = 1; // TIFF's default BitsPerSample
    const segments: Partial<Record<number, number[]>> = {};
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      const tag = u16(entry);
      if (tag === 256) width = value(entry);
      else if (tag === 257) height = value(entry);
      else if (tag === 258) bits = maxBitsPerSample(view, entry, le);
      else if (SEGMENT_TAGS.includes(tag)) segments[tag] = numbers(view, entry, le);
    }
    if (width === 0 || height === 0) throw corrupt("tiff", `page ${page} has no width or height`);
    checkSegments(view, page, segments[273] ?? segments[324] ?? [], segments[279] ?? segments[325] ?? []);
    if (bits > 8) {
      throw new ImageError(
        "IMAGE_UNSUPPORTED",
        `${bits}-bit TIFF is not supported: DISP keeps 8 bits per channel and never reduces depth silently`,
      );
    }
    totalPixels += width * height;
    first ??= { width, height };
    ifd = u32(ifd + 2 + count * 12);
  }
  if (first === undefined) throw corrupt("tiff", "it has no pages");
  return { format: "tiff", ...first, bitsPerChannel: 8, pixelsToDecode: totalPixels };
}

/** StripOffsets, StripByteCounts, TileOffsets, TileByteCounts. */
const SEGMENT_TAGS = [273, 279, 324, 325];

/** The SHORT or LONG values of an IFD entry, inline or at its offset. */
function numbers(view: DataView, entry: number, le: boolean): number[] {
  const type = view.getUint16(entry + 2, le);
  const count = view.getUint32(entry + 4, le);
  const size = type === 3 ? 2 : 4;
  if ((type !== 3 && type !== 4) || count > view.byteLength)
    throw corrupt("tiff", "a strip or tile table is malformed");
  const at = count * size <= 4 ? entry + 8 : view.getUint32(entry + 8, le);
  need(view, "tiff", at + count * size);
  const out: number[] = [];
  for (let i = 0; i < count; i++)
    out.push(size === 2 ? view.getUint16(at + 2 * i, le) : view.getUint32(at + 4 * i, le));
  return out;
}

/**
 * The TIFF decoder reads strips past the end of a truncated file as zeros without complaint, so
 * every strip (or tile) must lie inside the file.
 */
function checkSegments(view: DataView, page: number, offsets: number[], counts: number[]): void {
  if (offsets.length === 0 || offsets.length !== counts.length) {
    throw corrupt("tiff", `page ${page} has no consistent strip or tile table`);
  }
  offsets.forEach((offset, i) => {
    if (offset + (counts[i] as number) > view.byteLength) {
      throw corrupt("tiff", `page ${page} has image data past the end of the file (truncated)`);
    }
  });
}

function maxBitsPerSample(view: DataView, entry: number, le: boolean): number {
  const type = view.getUint16(entry + 2, le);
  const count = view.getUint32(entry + 4, le);
  if (type !== 3 || count === 0) return 8;
  const at = count <= 2 ? entry + 8 : view.getUint32(entry + 8, le);
  need(view, "tiff", at + 2 * count);
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, view.getUint16(at + 2 * i, le));
  return max;
}
