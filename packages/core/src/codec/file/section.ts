import { z } from "zod";

import { FILE_FORMATS } from "../../image/media.js";
import type { SectionRules } from "../section.js";

/**
 * Whole-file replication (the opt-out of pooling): one fragment, the original file, of the format
 * its signature names (FILE_KINDS gives its media type and extension; "bin" when none does). The
 * manifest's image size is the file's header's when DISP reads that format, 1x1 otherwise: this
 * codec never decodes.
 */
export const fileSection = z.strictObject({
  name: z.literal("file"),
  format: z.enum(FILE_FORMATS),
});

export const fileRules: SectionRules<z.infer<typeof fileSection>> = {
  contentHash: "sha256",
  check: ({ kernel }) =>
    kernel.height === 1 && kernel.width === 1
      ? []
      : [{ path: ["kernel"], message: "the file codec's kernel is 1x1" }],
};
