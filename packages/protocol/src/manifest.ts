import type { CID } from "multiformats/cid";
import { z } from "zod";

import { canonicalJson } from "./canonical-json.js";
import { encryptionSectionSchema, type EncryptionSection } from "./encryption.js";
import { ManifestError } from "./errors.js";
import { CONTENT_HASH_ALGORITHMS, RGBA_BIT_DEPTH, RGBA_CHANNELS } from "./hash.js";
import { MAX_KERNEL_SIDE, PADDING_RULE } from "./kernel.js";
import { parityDisagreement, paritySectionSchema, shardEntries, type ParitySection } from "./parity.js";
import { proofsSectionSchema, type ProofsSection } from "./segments.js";
import { fragmentEntrySchema, hex32, type FragmentEntry } from "./shard.js";

export { fragmentEntrySchema, hex32, type FragmentEntry };
import { DEFAULT_UNIXFS, type UnixFsSettings } from "./unixfs.js";

/**
 * The manifest version this code writes. Readers accept every version in MANIFEST_SCHEMAS; how a
 * version is bumped is in docs/manifest-versions.md.
 */
export const MANIFEST_SCHEMA = "disp/manifest@2";
export const MANIFEST_SCHEMAS = ["disp/manifest@1", MANIFEST_SCHEMA] as const;
export type ManifestSchemaName = (typeof MANIFEST_SCHEMAS)[number];

/** The smallest chunk a manifest may record: the DAG reader's block budget assumes no smaller leaf. */
export const MIN_UNIXFS_CHUNK_SIZE = 1024;
/** The largest chunk a manifest may record: 1 MiB, the block size every IPFS implementation exchanges. */
export const MAX_UNIXFS_CHUNK_SIZE = 1_048_576;
/** The widest interior node a manifest's layout may record. */
export const MAX_UNIXFS_CHILDREN = 8192;

/**
 * The largest manifest written, fetched or parsed. A manifest is one raw block (see
 * MANIFEST_UNIXFS), so a reader can refuse any other CID before fetching anything and never walks a
 * DAG an uploader chose; one block is at most the largest chunk. A JPEG's layout carries its
 * original header and trailer in base64 (EXIF, ICC profiles, a phone's appended preview): about
 * 750 KiB of them fit.
 */
export const MAX_MANIFEST_BYTES = MAX_UNIXFS_CHUNK_SIZE;

/**
 * How a manifest is added: one chunk as large as a manifest may be, so that with raw leaves the
 * importer reduces it to a single raw block (a manifest up to the default chunk size gets the same
 * CID under DEFAULT_UNIXFS, as manifests stored before had).
 */
export const MANIFEST_UNIXFS: UnixFsSettings = Object.freeze({
  ...DEFAULT_UNIXFS,
  chunkSize: MAX_MANIFEST_BYTES,
});

const RAW_CODEC = 0x55;
const SHA2_256 = 0x12;

/** True when `cid` can name a manifest: a CIDv1 of one raw block hashed with SHA-256. */
export function isManifestCid(cid: CID): boolean {
  return cid.version === 1 && cid.code === RAW_CODEC && cid.multihash.code === SHA2_256;
}

const positiveInt = z
  .int()
  .min(1)
  .max(2 ** 31 - 1);
const side = z.int().min(1).max(MAX_KERNEL_SIDE);

export const contentHashSchema = z.strictObject({
  /** PIXEL_HASH_ALGORITHM for the pixel codec; "sha256" (of the original file) for the others. */
  algorithm: z.enum(CONTENT_HASH_ALGORITHMS),
  digest: hex32,
});

export const unixFsSchema = z.strictObject({
  cidVersion: z.literal(1),
  rawLeaves: z.literal(true),
  layout: z.literal("balanced"),
  chunkSize: z.int().min(MIN_UNIXFS_CHUNK_SIZE).max(MAX_UNIXFS_CHUNK_SIZE),
  maxChildrenPerNode: z.int().min(2).max(MAX_UNIXFS_CHILDREN),
});

/** What every codec's section has: its name. The codec registry (in core) checks the rest. */
export interface CodecSection {
  readonly name: string;
}

/**
 * The fields of every manifest version, around a codec section whose schema the caller supplies
 * (core's codec registry). `parity`, `encryption` and `proofs` are the named places of later
 * features: each is `null` or, once defined, an object whose `scheme` names a versioned scheme
 * (parity: "reed-solomon-gf256-vandermonde@1"), so adding a scheme does not bump the manifest version.
 */
function fields<C extends z.ZodType<CodecSection>>(codec: C) {
  return {
    image: z.strictObject({
      width: positiveInt,
      height: positiveInt,
      channels: z.literal(RGBA_CHANNELS),
      bitDepth: z.literal(RGBA_BIT_DEPTH),
    }),
    kernel: z.strictObject({ height: side, width: side }),
    padding: z.literal(PADDING_RULE),
    codec,
    contentHash: contentHashSchema,
    unixfs: unixFsSchema,
    fragments: z.array(fragmentEntrySchema),
    /** Erasure-coded parity shards beside the fragments (null: none). */
    parity: paritySectionSchema.nullable(),
    /** Client-side encryption of the fragments, and the sealed plaintext manifest (null: public). */
    encryption: encryptionSectionSchema.nullable(),
  };
}

/** A manifest as held in memory: the newest version's shape, whichever version it was read from. */
export type ManifestOf<C extends CodecSection> = {
  schema: ManifestSchemaName;
  image: { width: number; height: number; channels: typeof RGBA_CHANNELS; bitDepth: typeof RGBA_BIT_DEPTH };
  kernel: { height: number; width: number };
  padding: typeof PADDING_RULE;
  codec: C;
  contentHash: z.infer<typeof contentHashSchema>;
  unixfs: z.infer<typeof unixFsSchema>;
  fragments: FragmentEntry[];
  parity: ParitySection | null;
  encryption: EncryptionSection | null;
  /** Storage-proof commitments (segment roots, see SEGMENT_SCHEME). Absent from disp/manifest@1, read as null. */
  proofs: ProofsSection | null;
};

/**
 * The schema of every readable manifest version around `codec`, giving the in-memory shape.
 * disp/manifest@1 has no `proofs` field; it reads as `proofs: null`.
 */
export function manifestSchemaWith<C extends z.ZodType<CodecSection>>(codec: C) {
  const v2 = z.strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    ...fields(codec),
    proofs: proofsSectionSchema.nullable(),
  });
  // The in-memory shape of a v1 manifest carries `proofs: null`; its bytes never do (wireForm).
  const v1 = z.strictObject({
    schema: z.literal("disp/manifest@1"),
    ...fields(codec),
    proofs: z.null().optional(),
  });
  return z
    .discriminatedUnion("schema", [v2, v1])
    .transform((manifest) => ({ ...manifest, proofs: manifest.proofs ?? null }))
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
      const disagreement = manifest.parity && parityDisagreement(manifest.parity, manifest.fragments);
      if (disagreement) ctx.addIssue({ code: "custom", ...disagreement });
      const shards = shardEntries(manifest).length;
      if (manifest.proofs && manifest.proofs.roots.length !== shards) {
        ctx.addIssue({
          code: "custom",
          path: ["proofs", "roots"],
          message: `has ${manifest.proofs.roots.length} segment roots, not one per shard (${shards})`,
        });
      }
    });
}

/** The value written for a manifest: its own version's fields (disp/manifest@1 has no `proofs`). */
export function wireForm<C extends CodecSection>(manifest: ManifestOf<C>): object {
  if (manifest.schema !== "disp/manifest@1") return manifest;
  return Object.fromEntries(Object.entries(manifest).filter(([key]) => key !== "proofs"));
}

/** Runs `schema` on a value; a failure is a ManifestError naming the first failing field. */
export function validateWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ManifestError(`invalid manifest: ${z.prettifyError(result.error).replaceAll("\n", "; ")}`);
  }
  return result.data;
}

/**
 * The canonical bytes of a validated manifest: UTF-8, sorted keys, no whitespace. A ManifestError
 * when they exceed MAX_MANIFEST_BYTES, so no manifest is stored that no reader would fetch.
 */
export function canonicalBytes<C extends CodecSection>(manifest: ManifestOf<C>): Uint8Array {
  const bytes = new TextEncoder().encode(canonicalJson(wireForm(manifest)));
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new ManifestError(`invalid manifest: ${bytes.length} bytes, more than ${MAX_MANIFEST_BYTES}`);
  }
  return bytes;
}

/**
 * Reads manifest bytes strictly: at most MAX_MANIFEST_BYTES of valid UTF-8 JSON that passes
 * `schema` and is byte-for-byte in canonical form, so that the bytes a reader accepts are the bytes
 * whose hash is the Merkle leaf.
 */
export function parseCanonical<C extends CodecSection>(
  schema: z.ZodType<ManifestOf<C>>,
  bytes: Uint8Array,
): ManifestOf<C> {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new ManifestError(`invalid manifest: ${bytes.length} bytes, more than ${MAX_MANIFEST_BYTES}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new ManifestError("invalid manifest: not UTF-8 text", { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`invalid manifest: not JSON (${(error as Error).message})`, { cause: error });
  }
  const manifest = validateWith(schema, value);
  if (canonicalJson(wireForm(manifest)) !== text) {
    throw new ManifestError("invalid manifest: not in canonical form (sorted keys, no whitespace)");
  }
  return manifest;
}
