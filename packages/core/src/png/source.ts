import { sha256Hex } from "@disp/protocol";
import { base64pad } from "multiformats/bases/base64";
import { deflateSync, inflateSync } from "node:zlib";

import type { PngSourceSection } from "../codec/png/section.js";
import { ImageError } from "../errors.js";
import { corrupt } from "../image/checks.js";
import type { PngChunk, PngFile, PngIhdr } from "./chunks.js";
import { findDeflateSettings } from "./deflate.js";
import type { PngColours } from "./samples.js";
import { filterRaster, scanlineCount, type PngRaster } from "./raster.js";
import {
  assemblePng,
  DEFAULT_IDAT_RUNS,
  idatRuns,
  writePng,
  type ImageDataEncoding,
  type PngFrame,
} from "./write.js";

/**
 * Most bytes of chunks (and bytes after IEND) one stored PNG may carry into its manifest: as base64
 * they take 4/3 of this, which leaves room under the 1 MiB manifest for everything else.
 */
export const MAX_PNG_METADATA_BYTES = 512 * 1024;
/** Most base64 characters the recorded filter types may take; past this the file is re-encoded. */
const MAX_FILTER_TEXT = 128 * 1024;
const MAX_IDAT_RUNS = 4096;

/** The PNG structure a manifest records, with the proof of how to rebuild the file. */
export function describeSource(file: PngFile, bytes: Uint8Array): Omit<PngSourceSection, "imageData"> {
  const chunks = [
    ...file.before.map((chunk) => ({ chunk, afterImageData: false })),
    ...file.after.map((chunk) => ({ chunk, afterImageData: true })),
  ];
  const metadata = chunks.reduce((sum, { chunk }) => sum + chunk.data.length, file.trailer.length);
  if (metadata > MAX_PNG_METADATA_BYTES) {
    throw new ImageError(
      "IMAGE_METADATA_TOO_LARGE",
      `the PNG carries ${metadata} bytes of chunks besides its image data (${chunks.length} chunks), ` +
        `over the limit of ${MAX_PNG_METADATA_BYTES} the manifest can hold; strip metadata or use --codec file`,
    );
  }
  const { bitDepth, colorType, interlace } = file.ihdr;
  if (bitDepth !== 1 && bitDepth !== 2 && bitDepth !== 4 && bitDepth !== 8 && bitDepth !== 16) {
    throw corrupt("png", `bit depth ${bitDepth}`);
  }
  return {
    bitDepth,
    colorType,
    interlace,
    chunks: chunks.map(({ chunk, afterImageData }) => ({
      type: chunk.type,
      data: base64pad.baseEncode(chunk.data),
      afterImageData,
    })),
    trailer: base64pad.baseEncode(file.trailer),
    sha256: sha256Hex(bytes),
  };
}

/**
 * Proves at store time whether the file can come back byte for byte: `rows` (the raster as the
 * rebuild will have it, from the pooled pixels) refiltered with the file's own filter types must
 * give the inflated image data, zlib must turn that into the file's IDAT stream under some settings,
 * and the file assembled around it must be the file. The recorded encoding when all hold.
 */
export async function proveImageData(
  file: PngFile,
  bytes: Uint8Array,
  raster: PngRaster,
  filtered: Uint8Array,
  rows: Uint8Array | undefined,
): Promise<PngSourceSection["imageData"]> {
  if (rows === undefined || !same(rows, raster.rows)) return null;
  const runs = idatRuns(file.idat);
  if (runs.length > MAX_IDAT_RUNS) return null;
  const filters = base64pad.baseEncode(deflateSync(raster.filters, { level: 9 }));
  if (filters.length > MAX_FILTER_TEXT) return null;
  const refiltered = filterRaster(raster, raster.filters);
  if (!same(refiltered, filtered)) return null;
  const stream = Buffer.concat(file.idat);
  const deflate = await findDeflateSettings(refiltered, stream);
  if (deflate === undefined) return null;
  if (!same(assemblePng(frameOf(file), stream, runs), bytes)) return null;
  return { filters, deflate, idatRuns: runs };
}

/** Byte equality without copying either side. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function frameOf(file: PngFile): PngFrame {
  return { ihdr: file.ihdr, before: file.before, after: file.after, trailer: file.trailer };
}

/** The header, chunks and trailer a manifest records, as the writer takes them. */
export function sourceFrame(source: PngSourceSection, width: number, height: number): PngFrame {
  const ihdr: PngIhdr = {
    width,
    height,
    bitDepth: source.bitDepth,
    colorType: source.colorType,
    interlace: source.interlace,
  };
  const chunk = ({ type, data }: { type: string; data: string }): PngChunk => ({
    type,
    data: base64pad.baseDecode(data),
  });
  return {
    ihdr,
    before: source.chunks.filter((c) => !c.afterImageData).map(chunk),
    after: source.chunks.filter((c) => c.afterImageData).map(chunk),
    trailer: base64pad.baseDecode(source.trailer),
  };
}

/** PLTE and tRNS of a recorded source, which give its samples their colours. */
export function coloursOf(frame: Pick<PngFrame, "before">): PngColours {
  const find = (type: string) => frame.before.find((chunk) => chunk.type === type)?.data;
  const palette = find("PLTE");
  const transparency = find("tRNS");
  return {
    ...(palette === undefined ? {} : { palette }),
    ...(transparency === undefined ? {} : { transparency }),
  };
}

/**
 * The stored file from its raster: with the recorded encoding, the original bytes; without, the
 * same header, chunks and samples with image data of our own (None for palette and low-depth
 * images, Paeth otherwise, zlib's default level).
 */
export function writeSource(
  source: PngSourceSection,
  frame: PngFrame,
  rows: Uint8Array,
): Promise<Uint8Array> {
  const recorded = source.imageData;
  const encoding: ImageDataEncoding =
    recorded === null
      ? {
          filters: frame.ihdr.colorType === 3 || frame.ihdr.bitDepth < 8 ? 0 : 4,
          deflate: { level: 6 },
          idatRuns: DEFAULT_IDAT_RUNS,
        }
      : {
          filters: recordedFilters(recorded.filters, frame.ihdr),
          deflate: recorded.deflate,
          idatRuns: recorded.idatRuns,
        };
  return writePng(frame, rows, encoding);
}

/** The recorded filter types, one per scanline, bounded by the header's scanline count. */
function recordedFilters(text: string, ihdr: PngIhdr): Uint8Array {
  try {
    return inflateSync(base64pad.baseDecode(text), { maxOutputLength: scanlineCount(ihdr) });
  } catch (error) {
    throw new ImageError("IMAGE_CORRUPT", "the manifest's recorded PNG filter types do not inflate", {
      cause: error,
    });
  }
}
