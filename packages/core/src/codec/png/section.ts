import { PIXEL_HASH_ALGORITHM } from "@disp/protocol";
import { z } from "zod";

import { PNG_COLOR_TYPE_CODES } from "../../png/chunks.js";
import { PNG_COLOR_TYPES, PNG_FILTERS } from "../../png/settings.js";
import type { SectionRules } from "../section.js";

const base64 = z.base64();
const sha256 = z.string().regex(/^0x[0-9a-f]{64}$/);

/**
 * How the stored PNG's image data was written, recorded only once re-encoding it so was proven at
 * store time to give the file's own IDAT stream: the filter type of every scanline (deflated, in
 * base64), the zlib settings and the IDAT chunk sizes as [size, count] runs.
 */
export const pngImageDataSection = z.strictObject({
  filters: base64,
  deflate: z.strictObject({
    level: z.int().min(0).max(9),
    memLevel: z.int().min(1).max(9),
    strategy: z.int().min(0).max(4),
    windowBits: z.int().min(8).max(15),
  }),
  idatRuns: z
    .array(z.tuple([z.int().min(0).max(0x7fffffff), z.int().min(1)]))
    .min(1)
    .max(4096),
});

/**
 * The stored file when it was a PNG: its header fields, every chunk other than IHDR, IDAT and IEND
 * in file order (PLTE, tRNS, iCCP, tEXt, pHYs, tIME, unknown ones…; `afterImageData` for those past
 * the IDATs), any bytes after IEND, and its SHA-256. With `imageData`, a full rebuild is that file
 * byte for byte; without, the same pixels and chunks in a re-encoded file.
 */
export const pngSourceSection = z.strictObject({
  bitDepth: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8), z.literal(16)]),
  colorType: z.union(PNG_COLOR_TYPE_CODES.map((code) => z.literal(code))),
  interlace: z.union([z.literal(0), z.literal(1)]),
  chunks: z
    .array(
      z.strictObject({
        type: z.string().regex(/^[A-Za-z]{4}$/),
        data: base64,
        afterImageData: z.boolean(),
      }),
    )
    .max(4096),
  trailer: base64,
  sha256,
  imageData: pngImageDataSection.nullable(),
});

/** The pixel codec: fragments are PNG files of the pooled pixels, written with these settings. */
export const pngSection = z.strictObject({
  name: z.literal("png"),
  /** PNG colour type of every fragment: the smallest that holds the image's pixels exactly. */
  colorType: z.enum(PNG_COLOR_TYPES),
  /**
   * 16: the fragments are 16-bit PNGs of the stored PNG's own samples (absent: 8-bit fragments of
   * the RGBA pixels).
   */
  bitDepth: z.literal(16).optional(),
  /** Recorded so a lost fragment can be re-encoded to the same bytes (same CID and leaf). */
  filter: z.enum(PNG_FILTERS),
  deflateLevel: z.int().min(0).max(9),
  /** The stored file's PNG structure (absent for images stored from other formats). */
  source: pngSourceSection.optional(),
});

export type PngSourceSection = z.infer<typeof pngSourceSection>;

export const pngRules: SectionRules<z.infer<typeof pngSection>> = {
  contentHash: PIXEL_HASH_ALGORITHM,
  check: ({ codec }) => {
    const source = codec.source;
    if (codec.bitDepth === 16 && source?.bitDepth !== 16) {
      return [{ path: ["codec", "bitDepth"], message: "16-bit fragments need a 16-bit PNG source" }];
    }
    if (source?.bitDepth === 16 && codec.bitDepth !== 16) {
      return [{ path: ["codec", "bitDepth"], message: "a 16-bit PNG source is stored in 16-bit fragments" }];
    }
    return [];
  },
};
