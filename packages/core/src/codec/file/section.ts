import { z } from "zod";

import { IMAGE_FORMATS } from "../../image/types.js";
import type { SectionRules } from "../section.js";

/** Whole-file replication (the opt-out of pooling): one fragment, the original file, of this format. */
export const fileSection = z.strictObject({
  name: z.literal("file"),
  format: z.enum(IMAGE_FORMATS),
});

export const fileRules: SectionRules<z.infer<typeof fileSection>> = {
  contentHash: "sha256",
  check: ({ kernel }) =>
    kernel.height === 1 && kernel.width === 1
      ? []
      : [{ path: ["kernel"], message: "the file codec's kernel is 1x1" }],
};
