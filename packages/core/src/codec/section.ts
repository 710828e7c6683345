import type { ContentHashAlgorithm } from "@disp/protocol";

/** A manifest as a codec section's checks see it: the fields a section must agree with. */
export interface ManifestBody<S> {
  readonly image: { readonly width: number; readonly height: number };
  readonly kernel: { readonly height: number; readonly width: number };
  readonly fragments: readonly unknown[];
  readonly codec: S;
}

/** One thing wrong with a manifest, at a path under it. */
export interface SectionIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What the manifest knows of a codec: the content hash its manifests record, and how its section
 * must agree with the rest of the manifest (the section's own fields are its zod schema's).
 */
export interface SectionRules<S> {
  readonly contentHash: ContentHashAlgorithm;
  check(manifest: ManifestBody<S>): SectionIssue[];
}
