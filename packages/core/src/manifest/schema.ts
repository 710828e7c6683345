import { CID } from "multiformats/cid";
import { z } from "zod";

import { PNG_COLOR_TYPES, PNG_FILTERS } from "../png/settings.js";
import { MAX_KERNEL_SIDE, PADDING_RULE } from "../pooling/layout.js";
import { PIXEL_HASH_ALGORITHM } from "../pixel-hash.js";

export const MANIFEST_SCHEMA = "disp/manifest@1";

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x followed by 64 lowercase hex digits");
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

/** Codecs are told apart by `name`; a new codec adds its own object here with its own fields. */
export const codecSchema = z.discriminatedUnion("name", [pngCodec]);

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
    if (manifest.codec.name === "png" && manifest.contentHash.algorithm !== PIXEL_HASH_ALGORITHM) {
      ctx.addIssue({
        code: "custom",
        path: ["contentHash", "algorithm"],
        message: `the png codec's content hash is ${PIXEL_HASH_ALGORITHM}`,
      });
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestCodec = z.infer<typeof codecSchema>;
export type FragmentEntry = z.infer<typeof fragmentEntrySchema>;
