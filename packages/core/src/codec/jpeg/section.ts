import { z } from "zod";

import { parseJpegLayout, type JpegLayout } from "../../jpeg/layout.js";
import type { SectionIssue, SectionRules } from "../section.js";

/**
 * The JPEG coefficient codec: fragments are JPEGs holding the original's MCUs; `layout` is what
 * mergeJpeg needs to rebuild the original file byte for byte (checked by parseJpegLayout, whose
 * output is plain JSON, so the manifest stays canonical and round-trips).
 */
export const jpegSection = z.strictObject({
  name: z.literal("jpeg"),
  layout: z.unknown().transform((value, ctx): JpegLayout => {
    try {
      return parseJpegLayout(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }),
});

/** The layout must describe the image and kernel the manifest states, one fragment per entry. */
export const jpegRules: SectionRules<z.infer<typeof jpegSection>> = {
  contentHash: "sha256",
  check: ({ image, kernel, codec: { layout } }) => {
    const path = ["codec", "layout"];
    const issues: SectionIssue[] = [];
    if (layout.width !== image.width || layout.height !== image.height) {
      issues.push({
        path,
        message: `is ${layout.width}x${layout.height}, the image ${image.width}x${image.height}`,
      });
    }
    if (layout.kernel.kh !== kernel.height || layout.kernel.kw !== kernel.width) {
      issues.push({
        path,
        message: `has kernel ${layout.kernel.kh}x${layout.kernel.kw}, the manifest ${kernel.height}x${kernel.width}`,
      });
    }
    if (layout.fragments.length !== kernel.height * kernel.width) {
      issues.push({ path, message: "must hold one fragment size per kernel position" });
    }
    return issues;
  },
};
