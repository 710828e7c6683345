import { IMAGE_FORMATS, type ImageFormat } from "./types.js";

/**
 * The file formats DISP names by their signature: the five it decodes (IMAGE_FORMATS) and others
 * the file codec keeps byte for byte without decoding them; "bin" is any file not recognised.
 * A manifest of the file codec records one of these, so the list only ever grows.
 */
export const FILE_FORMATS = [
  ...IMAGE_FORMATS,
  "webp",
  "avif",
  "heic",
  "heif",
  "jxl",
  "svg",
  "pdf",
  "ico",
  "psd",
  "dng",
  "cr2",
  "cr3",
  "raf",
  "orf",
  "rw2",
  "bin",
] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface FileKind {
  /** How a message names it: "WebP image", "PDF document". */
  readonly name: string;
  readonly mediaType: string;
  /** The extension DISP gives a file of this format. */
  readonly extension: string;
  /** Other extensions that name the same format (a camera's own name for a TIFF-based raw file). */
  readonly aliases: readonly string[];
}

// TIFF-based raw files without a signature of their own sniff as TIFF; their names stay theirs.
const TIFF_RAW = ["nef", "nrw", "arw", "srf", "sr2", "pef", "srw", "3fr", "erf", "kdc", "dcr", "mos", "iiq"];

export const FILE_KINDS: Readonly<Record<FileFormat, FileKind>> = {
  png: { name: "PNG image", mediaType: "image/png", extension: "png", aliases: [] },
  jpeg: { name: "JPEG image", mediaType: "image/jpeg", extension: "jpg", aliases: ["jpeg", "jpe", "jfif"] },
  bmp: { name: "BMP image", mediaType: "image/bmp", extension: "bmp", aliases: ["dib"] },
  gif: { name: "GIF image", mediaType: "image/gif", extension: "gif", aliases: [] },
  tiff: { name: "TIFF image", mediaType: "image/tiff", extension: "tiff", aliases: ["tif", ...TIFF_RAW] },
  webp: { name: "WebP image", mediaType: "image/webp", extension: "webp", aliases: [] },
  avif: { name: "AVIF image", mediaType: "image/avif", extension: "avif", aliases: [] },
  heic: { name: "HEIC image", mediaType: "image/heic", extension: "heic", aliases: ["heif", "hif"] },
  heif: { name: "HEIF image", mediaType: "image/heif", extension: "heif", aliases: ["heic", "hif"] },
  jxl: { name: "JPEG XL image", mediaType: "image/jxl", extension: "jxl", aliases: [] },
  svg: { name: "SVG image", mediaType: "image/svg+xml", extension: "svg", aliases: [] },
  pdf: { name: "PDF document", mediaType: "application/pdf", extension: "pdf", aliases: [] },
  ico: { name: "ICO icon", mediaType: "image/vnd.microsoft.icon", extension: "ico", aliases: [] },
  psd: { name: "Photoshop document", mediaType: "image/vnd.adobe.photoshop", extension: "psd", aliases: [] },
  dng: { name: "DNG raw image", mediaType: "image/x-adobe-dng", extension: "dng", aliases: [] },
  cr2: { name: "Canon CR2 raw image", mediaType: "image/x-canon-cr2", extension: "cr2", aliases: [] },
  cr3: { name: "Canon CR3 raw image", mediaType: "image/x-canon-cr3", extension: "cr3", aliases: [] },
  raf: { name: "Fujifilm RAF raw image", mediaType: "image/x-fuji-raf", extension: "raf", aliases: [] },
  orf: { name: "Olympus ORF raw image", mediaType: "image/x-olympus-orf", extension: "orf", aliases: [] },
  rw2: { name: "Panasonic RW2 raw image", mediaType: "image/x-panasonic-rw2", extension: "rw2", aliases: [] },
  bin: {
    name: "file of unrecognised format",
    mediaType: "application/octet-stream",
    extension: "bin",
    aliases: [],
  },
};

/** Whether DISP decodes files of this format (and so can pool them and give their pixels). */
export function isImageFormat(format: FileFormat): format is ImageFormat {
  return (IMAGE_FORMATS as readonly string[]).includes(format);
}

/** The format DISP gives this extension, or whose other names include it (any case, no dot). */
export function fileKindOfExtension(extension: string): FileKind | undefined {
  const wanted = extension.toLowerCase();
  const kinds = Object.values(FILE_KINDS);
  return (
    kinds.find((kind) => kind.extension === wanted) ?? kinds.find((kind) => kind.aliases.includes(wanted))
  );
}

/**
 * Whether a file name extension (any case, without the dot) names the format whose DISP extension
 * is `extension`. Any name fits a file of unrecognised format ("bin"): only its owner knows it.
 */
export function extensionFits(requested: string, extension: string): boolean {
  const wanted = requested.toLowerCase();
  if (extension === "bin" || wanted === extension) return true;
  return Object.values(FILE_KINDS).some(
    (kind) => kind.extension === extension && kind.aliases.includes(wanted),
  );
}

/** The format a file's signature names; "bin" when none does. Reads at most its first 4 KiB. */
export function sniffFileFormat(bytes: Uint8Array): FileFormat {
  const at = (offset: number, ...signature: number[]) =>
    bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
  const text = (offset: number, ascii: string) => at(offset, ...[...ascii].map((c) => c.charCodeAt(0)));
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (at(0, 0xff, 0xd8, 0xff)) return "jpeg";
  if (text(0, "BM")) return "bmp";
  if (text(0, "GIF87a") || text(0, "GIF89a")) return "gif";
  if (text(0, "IIRO") || text(0, "IIRS") || text(0, "MMOR")) return "orf";
  if (at(0, 0x49, 0x49, 0x55, 0x00)) return "rw2";
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return tiffFamily(bytes);
  if (text(0, "RIFF") && text(8, "WEBP")) return "webp";
  if (text(4, "ftyp")) return isoBrand(bytes);
  if (at(0, 0xff, 0x0a) || at(0, 0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a)) return "jxl";
  if (text(0, "%PDF-")) return "pdf";
  if (text(0, "8BPS")) return "psd";
  if (text(0, "FUJIFILMCCD-RAW")) return "raf";
  if (at(0, 0, 0, 1, 0) && bytes.length >= 6 && (bytes[4] !== 0 || bytes[5] !== 0)) return "ico";
  if (isSvg(bytes)) return "svg";
  return "bin";
}

const DNG_VERSION_TAG = 50706;

/** CR2 says so after the TIFF header; a DNG carries its DNGVersion tag in the first directory. */
function tiffFamily(bytes: Uint8Array): FileFormat {
  if (bytes[8] === 0x43 && bytes[9] === 0x52 && bytes[10] === 0x02) return "cr2";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  if (view.byteLength < 8) return "tiff";
  const directory = view.getUint32(4, le);
  if (directory + 2 > view.byteLength) return "tiff";
  const entries = view.getUint16(directory, le);
  for (let i = 0; i < entries; i++) {
    const entry = directory + 2 + 12 * i;
    if (entry + 2 > view.byteLength) break;
    if (view.getUint16(entry, le) === DNG_VERSION_TAG) return "dng";
  }
  return "tiff";
}

const ISO_BRANDS: Readonly<Record<string, FileFormat>> = {
  avif: "avif",
  avis: "avif",
  heic: "heic",
  heix: "heic",
  heim: "heic",
  heis: "heic",
  hevc: "heic",
  hevx: "heic",
  mif1: "heif",
  msf1: "heif",
  "crx ": "cr3",
};

/**
 * An ISO base media file (HEIF, AVIF, CR3, and MP4 video, which is "bin" here): the major brand,
 * else the first compatible brand DISP names (an AVIF often declares mif1 first, avif after).
 */
function isoBrand(bytes: Uint8Array): FileFormat {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxEnd = Math.min(view.getUint32(0), bytes.length, 4096);
  const brand = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  const brands = [brand(8)];
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) brands.push(brand(offset));
  const named = brands.map((name) => ISO_BRANDS[name]).filter((format) => format !== undefined);
  return named.find((format) => format !== "heif") ?? named[0] ?? "bin";
}

/**
 * An SVG document: XML whose root element is <svg>, after an optional byte-order mark, XML
 * declaration, comments, processing instructions and doctype, within the first 4 KiB.
 */
function isSvg(bytes: Uint8Array): boolean {
  let text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 4096));
  text = text.replace(/^\uFEFF/, "");
  for (;;) {
    text = text.trimStart();
    const prolog = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>)/i.exec(text);
    if (prolog === null) break;
    text = text.slice(prolog[0].length);
  }
  return /^<svg[\s>/]/.test(text) || /^<[A-Za-z_][\w.-]*:svg[\s>/]/.test(text);
}
