import { CID } from "multiformats/cid";
import { z } from "zod";

import { IMAGE_FORMATS } from "../image/types.js";
import { parseJpegLayout } from "../jpeg/layout.js";
import { PNG_COLOR_TYPES, PNG_FILTERS } from "../png/settings.js";
import { MAX_KERNEL_SIDE, PADDING_RULE } from "../pooling/layout.js";
import { PIXEL_HASH_ALGORITHM } from "../pixel-hash.js";
import type { JpegLayout } from "../jpeg/layout.js";

export const MANIFEST_SCHEMA = "disp/manifest@1";

const HEX32 = /^0x[0-9a-f]{64}$/;
/** Typed as the 0x-hex the hashing helpers return, so a digest read back is a bytes32 again. */
const hex32 = z.custom<`0x${string}`>((value) => typeof value === "string" && HEX32.test(value), {
  message: "must be 0x followed by 64 lowercase hex digits",
});
const positiveInt = z
  .int()
  .min(1)
  .max(2 ** 31 - 1);
const side = z.int().min(1).max(MAX_KERNEL_SIDE);

const cidString = z.string().refine(
  (text) => {
    try {
      return CID.parse(text).toString() === text;
    } catch {
      return false;
    }
  },
  { message: "must be a CID in its canonical string form" },
);

/** The pixel codec: fragments are PNG files of the pooled RGBA pixels, written with these settings. */
const pngCodec = z.strictObject({
  name: z.literal("png"),
  /** PNG colour type of every fragment: the smallest that holds the image's pixels exactly. */
  colorType: z.enum(PNG_COLOR_TYPES),
  /** Recorded so a lost fragment can be re-encoded to the same bytes (same CID and leaf). */
  filter: z.enum(PNG_FILTERS),
  deflateLevel: z.int().min(0).max(9),
});

/**
 * The JPEG coefficient codec: fragments are JPEGs holding the original's MCUs; `layout` is what
 * mergeJpeg needs to rebuild the original file byte for byte (checked by parseJpegLayout, whose
 * output is plain JSON, so the manifest stays canonical and round-trips).
 */
const jpegCodec = z.strictObject({
  name: z.literal("jpeg"),
  layout: z.unknown().transform((value, ctx) => {
    try {
      return parseJpegLayout(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }),
});

/** Whole-file replication (the opt-out of pooling): one fragment, the original file, of this format. */
const fileCodec = z.strictObject({
  name: z.literal("file"),
  format: z.enum(IMAGE_FORMATS),
});

/** Codecs are told apart by `name`; a new codec adds its own object here with its own fields. */
export const codecSchema = z.discriminatedUnion("name", [pngCodec, jpegCodec, fileCodec]);

export const contentHashSchema = z.strictObject({
  /** PIXEL_HASH_ALGORITHM for the pixel codec; "sha256" (of the original file) for a file codec. */
  algorithm: z.enum([PIXEL_HASH_ALGORITHM, "sha256"]),
  digest: hex32,
});

export const unixFsSchema = z.strictObject({
  cidVersion: z.literal(1),
  rawLeaves: z.literal(true),
  layout: z.literal("balanced"),
  chunkSize: z.int().min(1024).max(1_048_576),
  maxChildrenPerNode: z.int().min(2).max(8192),
});

export const fragmentEntrySchema = z.strictObject({
  index: z.int().min(0),
  cid: cidString,
  /** Bytes of the fragment file. */
  size: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** SHA-256 of the fragment file: the digest in its Merkle leaf. */
  sha256: hex32,
});

export const manifestSchema = z
  .strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    image: z.strictObject({
      width: positiveInt,
      height: positiveInt,
      channels: z.literal(4),
      bitDepth: z.literal(8),
    }),
    kernel: z.strictObject({ height: side, width: side }),
    padding: z.literal(PADDING_RULE),
    codec: codecSchema,
    contentHash: contentHashSchema,
    unixfs: unixFsSchema,
    fragments: z.array(fragmentEntrySchema),
    /** Erasure-coded parity fragments: a later step. */
    parity: z.null(),
    /** Client-side encryption and wrapped keys: a later step. */
    encryption: z.null(),
  })
  .superRefine((manifest, ctx) => {
    const count = manifest.kernel.height * manifest.kernel.width;
    if (manifest.fragments.length !== count) {
      ctx.addIssue({
        code: "custom",
        path: ["fragments"],
        message: `a ${manifest.kernel.height}x${manifest.kernel.width} kernel needs ${count} fragments, found ${manifest.fragments.length}`,
      });
    }
    manifest.fragments.forEach((fragment, i) => {
      if (fragment.index !== i) {
        ctx.addIssue({
          code: "custom",
          path: ["fragments", i, "index"],
          message: `must be ${i} (fragments in index order)`,
        });
      }
    });
    const { codec } = manifest;
    const algorithm = codec.name === "png" ? PIXEL_HASH_ALGORITHM : "sha256";
    if (manifest.contentHash.algorithm !== algorithm) {
      ctx.addIssue({
        code: "custom",
        path: ["contentHash", "algorithm"],
        message: `the ${codec.name} codec's content hash is ${algorithm}`,
      });
    }
    if (codec.name === "file" && (manifest.kernel.height !== 1 || manifest.kernel.width !== 1)) {
      ctx.addIssue({ code: "custom", path: ["kernel"], message: "the file codec's kernel is 1x1" });
    }
    if (codec.name === "jpeg") checkJpegLayout(manifest, codec.layout, ctx);
  });

/** The layout must describe the image and kernel the manifest states, one fragment per entry. */
function checkJpegLayout(
  manifest: { image: { width: number; height: number }; kernel: { height: number; width: number } },
  layout: JpegLayout,
  ctx: z.RefinementCtx,
): void {
  const path = ["codec", "layout"];
  if (layout.width !== manifest.image.width || layout.height !== manifest.image.height) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `is ${layout.width}x${layout.height}, the image ${manifest.image.width}x${manifest.image.height}`,
    });
  }
  if (layout.kernel.kh !== manifest.kernel.height || layout.kernel.kw !== manifest.kernel.width) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `has kernel ${layout.kernel.kh}x${layout.kernel.kw}, the manifest ${manifest.kernel.height}x${manifest.kernel.width}`,
    });
  }
  if (layout.fragments.length !== manifest.kernel.height * manifest.kernel.width) {
    ctx.addIssue({ code: "custom", path, message: "must hold one fragment size per kernel position" });
  }
}

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestCodec = z.infer<typeof codecSchema>;
export type FragmentEntry = z.infer<typeof fragmentEntrySchema>;
