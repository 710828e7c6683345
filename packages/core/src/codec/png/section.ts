import { PIXEL_HASH_ALGORITHM } from "@disp/protocol";
import { z } from "zod";

import { PNG_COLOR_TYPES, PNG_FILTERS } from "../../png/settings.js";
import type { SectionRules } from "../section.js";

/** The pixel codec: fragments are PNG files of the pooled RGBA pixels, written with these settings. */
export const pngSection = z.strictObject({
  name: z.literal("png"),
  /** PNG colour type of every fragment: the smallest that holds the image's pixels exactly. */
  colorType: z.enum(PNG_COLOR_TYPES),
  /** Recorded so a lost fragment can be re-encoded to the same bytes (same CID and leaf). */
  filter: z.enum(PNG_FILTERS),
  deflateLevel: z.int().min(0).max(9),
});

export const pngRules: SectionRules<z.infer<typeof pngSection>> = {
  contentHash: PIXEL_HASH_ALGORITHM,
  check: () => [],
};
