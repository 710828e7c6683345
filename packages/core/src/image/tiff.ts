import UTIF from "utif2";

import { ImageError } from "../errors.js";
import { corrupt, need } from "./checks.js";
import type { ImageHeader } from "./types.js";

/**
 * TIFF is the one format whose decoder (utif2, under jimp's TIFF plugin) trusts its tables: an
 * entry claiming four billion values makes it loop for seconds, a looping page chain never ends,
 * strips past the end of a truncated file read as zeros. So the whole directory structure it will
 * walk is checked here first, and only the first page is decoded (jimp decodes every page and
 * keeps the first; the pixels are the same).
 */

const MAX_DIRECTORIES = 256;
/** Bytes per value of each TIFF field type (1..13, 16..18); unknown types count as 1. */
const TYPE_SIZE: Partial<Record<number, number>> = {
  3: 2,
  4: 4,
  5: 8,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};
/** Tags whose values are offsets of further directories that utif2 reads (SubIFDs, EXIF, GPS, Fuji). */
const SUB_DIRECTORY_TAGS = [330, 34665, 34853, 61440];
const DNG_PRIVATE_DATA = 50740;

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Where the values are: inline in the entry or at its offset. */
  readonly at: number;
}

type Header = Omit<ImageHeader, "pixelsToDecode">;

export function readTiffHeader(view: DataView): Header {
  need(view, "tiff", 8);
  const le = view.getUint8(0) === 0x49;
  const directories = walkDirectories(view, le);
  const first = directories[0] as Entry[];
  const value = (tag: number, fallback: number): number => {
    const entry = first.find((e) => e.tag === tag);
    return entry === undefined || entry.count === 0 ? fallback : read(view, le, entry, 0);
  };
  const width = value(256, 0);
  const height = value(257, 0);
  if (width === 0 || height === 0) throw corrupt("tiff", "the first page has no width or height");
  const bits = first.find((e) => e.tag === 258);
  let bitsPerChannel = 1; // TIFF's default BitsPerSample
  if (bits !== undefined)
    for (let i = 0; i < bits.count; i++) bitsPerChannel = Math.max(bitsPerChannel, read(view, le, bits, i));
  checkSegments(view, le, first);
  return { format: "tiff", width, height, bitsPerChannel: Math.max(8, bitsPerChannel) };
}

/** Every directory utif2 will read, each entry checked to lie inside the file; the page chain first. */
function walkDirectories(view: DataView, le: boolean): Entry[][] {
  const seen = new Set<number>();
  const pages: Entry[][] = [];
  const others: Entry[][] = [];
  const visit = (offset: number): Entry[] => {
    if (seen.has(offset)) throw corrupt("tiff", "its directories loop");
    if (seen.size >= MAX_DIRECTORIES)
      throw new ImageError("IMAGE_UNSUPPORTED", `TIFF with more than ${MAX_DIRECTORIES} directories`);
    seen.add(offset);
    const entries = readDirectory(view, le, offset);
    for (const entry of entries) {
      if (entry.tag === DNG_PRIVATE_DATA)
        throw new ImageError("IMAGE_UNSUPPORTED", "TIFF with DNG private data is not supported");
      if (SUB_DIRECTORY_TAGS.includes(entry.tag) && (entry.type === 4 || entry.type === 13)) {
        for (let i = 0; i < entry.count; i++) others.push(visit(read(view, le, entry, i)));
      }
    }
    return entries;
  };
  for (let offset = u32(view, le, 4); offset !== 0;) {
    const entries = visit(offset);
    pages.push(entries);
    offset = u32(view, le, offset + 2 + entries.length * 12);
  }
  if (pages.length === 0) throw corrupt("tiff", "it has no pages");
  return [...pages, ...others];
}

function readDirectory(view: DataView, le: boolean, offset: number): Entry[] {
  need(view, "tiff", offset + 2);
  const count = view.getUint16(offset, le);
  need(view, "tiff", offset + 2 + count * 12 + 4);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const entry = offset + 2 + i * 12;
    const type = view.getUint16(entry + 2, le);
    const valueCount = view.getUint32(entry + 4, le);
    const bytes = valueCount * (TYPE_SIZE[type] ?? 1);
    const at = bytes <= 4 ? entry + 8 : view.getUint32(entry + 8, le);
    if (at + bytes > view.byteLength) {
      throw corrupt(
        "tiff",
        `a directory entry (tag ${view.getUint16(entry, le)}) points past the end of the file`,
      );
    }
    entries.push({ tag: view.getUint16(entry, le), type, count: valueCount, at });
  }
  return entries;
}

function u32(view: DataView, le: boolean, at: number): number {
  need(view, "tiff", at + 4);
  return view.getUint32(at, le);
}

/** Value `i` of a SHORT or LONG entry (other types read as their first byte). */
function read(view: DataView, le: boolean, entry: Entry, i: number): number {
  if (entry.type === 3) return view.getUint16(entry.at + 2 * i, le);
  if (entry.type === 4 || entry.type === 13) return view.getUint32(entry.at + 4 * i, le);
  return view.getUint8(entry.at + i);
}

/** utif2 reads strips (or tiles) past the end of a truncated file as zeros: each must be inside. */
function checkSegments(view: DataView, le: boolean, page: Entry[]): void {
  const find = (strip: number, tile: number) =>
    page.find((e) => e.tag === strip) ?? page.find((e) => e.tag === tile);
  const offsets = find(273, 324);
  const counts = find(279, 325);
  if (offsets === undefined || counts === undefined || offsets.count !== counts.count) {
    throw corrupt("tiff", "the first page has no consistent strip or tile table");
  }
  for (let i = 0; i < offsets.count; i++) {
    if (read(view, le, offsets, i) + read(view, le, counts, i) > view.byteLength) {
      throw corrupt("tiff", "the first page has image data past the end of the file (truncated)");
    }
  }
}

/** The first page as RGBA, exactly as jimp's TIFF plugin gives it, without MakerNote parsing. */
export function decodeTiffFirstPage(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const buffer = new Uint8Array(bytes).buffer;
  const decode = UTIF.decode as (
    buffer: ArrayBuffer,
    options: { parseMN: boolean; debug: boolean },
  ) => UTIF.IFD[];
  const page = decode(buffer, { parseMN: false, debug: false })[0];
  if (page === undefined) throw corrupt("tiff", "no page found");
  UTIF.decodeImage(buffer, page);
  const data = UTIF.toRGBA8(page);
  return { width: page.width, height: page.height, data };
}
