import { z } from "zod";

import { manifestSchemaWith, PIXEL_HASH_ALGORITHM, type ManifestOf } from "@disp/protocol";

import { IMAGE_FORMATS } from "../image/types.js";
import { parseJpegLayout } from "../jpeg/layout.js";
import { PNG_COLOR_TYPES, PNG_FILTERS } from "../png/settings.js";
import type { JpegLayout } from "../jpeg/layout.js";

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

export type ManifestCodec = z.infer<typeof codecSchema>;
export type Manifest = ManifestOf<ManifestCodec>;

export const manifestSchema: z.ZodType<Manifest> = manifestSchemaWith(codecSchema).superRefine(
  (manifest, ctx) => {
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
  },
);

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
