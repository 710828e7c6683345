import { z } from "zod";

import type { SectionRules } from "../section.js";

/**
 * The codec section of a private version's public manifest: the real section (JPEG header and
 * EXIF, PNG chunks) is in the sealed manifest. `pooled` says whether the sealed codec pools into
 * the kernel's fragments (png, jpeg) or keeps the whole file (file): what a node's size bound needs.
 * The content hash is the SHA-256 of the sealed bytes (the content's own is sealed with it).
 */
export const sealedSection = z.strictObject({
  name: z.literal("sealed"),
  pooled: z.boolean(),
});

export const sealedRules: SectionRules<z.infer<typeof sealedSection>> = {
  contentHash: "sha256",
  check: ({ kernel, image, codec }) => {
    if (codec.pooled) return [];
    const whole = kernel.height === 1 && kernel.width === 1 && image.width === 1 && image.height === 1;
    return whole
      ? []
      : [{ path: ["kernel"], message: "a sealed whole file has a 1x1 kernel and a 1x1 image" }];
  },
};
