import { manifestSchemaWith, type ManifestOf } from "@disp/protocol";
import { z } from "zod";

import { fileRules, fileSection } from "../codec/file/section.js";
import { jpegRules, jpegSection } from "../codec/jpeg/section.js";
import { pngRules, pngSection } from "../codec/png/section.js";
import { sealedRules, sealedSection } from "../codec/sealed/section.js";
import type { SectionRules } from "../codec/section.js";

/** Every codec's manifest section, told apart by `name`: a new codec adds its section here. */
export const codecSchema = z.discriminatedUnion("name", [
  pngSection,
  jpegSection,
  fileSection,
  sealedSection,
]);

export type ManifestCodec = z.infer<typeof codecSchema>;
export type Manifest = ManifestOf<ManifestCodec>;

type Rules = { readonly [S in ManifestCodec as S["name"]]: SectionRules<S> };
const RULES: Rules = { png: pngRules, jpeg: jpegRules, file: fileRules, sealed: sealedRules };

/** How a manifest's section must agree with the rest of it, for the codec it names. */
function rulesOf<N extends ManifestCodec["name"]>(name: N): Rules[N] {
  return RULES[name];
}

/** The manifest of every readable version with every codec's section and rules checked. */
export const manifestSchema: z.ZodType<Manifest> = manifestSchemaWith(codecSchema).superRefine(
  (manifest, ctx) => {
    const rules: SectionRules<ManifestCodec> = rulesOf(manifest.codec.name);
    if (manifest.contentHash.algorithm !== rules.contentHash) {
      ctx.addIssue({
        code: "custom",
        path: ["contentHash", "algorithm"],
        message: `the ${manifest.codec.name} codec's content hash is ${rules.contentHash}`,
      });
    }
    if ((manifest.encryption === null) !== (manifest.codec.name !== "sealed")) {
      ctx.addIssue({
        code: "custom",
        path: ["encryption"],
        message: "an encryption section goes with the sealed codec section, and only with it",
      });
    }
    for (const issue of rules.check(manifest)) {
      ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    }
  },
);
