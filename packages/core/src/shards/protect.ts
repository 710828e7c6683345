import {
  MAX_VERSION_SHARDS,
  PARITY_FIELD,
  PARITY_MATRIX,
  computeCid,
  sha256Hex,
  type ParitySection,
} from "@disp/protocol";

import type { EncodedFragment, EncodedImage } from "../codec/codec.js";
import { serializeManifest } from "../manifest/manifest.js";
import { encodeParity } from "../parity/codec.js";
import { ParityError } from "../parity/errors.js";
import { MAX_PARITY_TOTAL_SHARDS } from "../parity/scheme.js";
import type { OnProgress } from "../progress.js";
import { addSegmentRoots } from "./segments.js";

/** An encoded image with its parity shards: the manifest's `parity` section describes them. */
export interface ProtectedImage extends EncodedImage {
  /** Parity shard p has index k + p (its leaf index and slot); empty without parity. */
  readonly parityShards: EncodedFragment[];
}

export interface AddParityOptions {
  readonly onProgress?: OnProgress;
  readonly signal?: AbortSignal;
}

/**
 * Adds m Reed–Solomon parity shards over an encoded image's fragment files as they are stored (so
 * over ciphertext once fragments are encrypted), and the manifest's `parity` section naming them;
 * then the `proofs` section with every shard's segment root (addSegmentRoots), so that nodes can
 * be challenged on what they keep. m = 0 adds no parity (`parity: null`), only the segment roots.
 */
export async function addParity(
  encoded: EncodedImage,
  m: number,
  options: AddParityOptions = {},
): Promise<ProtectedImage> {
  const k = encoded.fragments.length;
  checkParityCount(k, m);
  if (encoded.manifest.parity !== null || encoded.manifest.proofs !== null) {
    throw new ParityError("PARITY_INVALID_PARAMS", "the image already has its parity and segment roots");
  }
  if (m === 0) return addSegmentRoots({ ...encoded, parityShards: [] });
  const { params, parity } = await encodeParity(
    encoded.fragments.map((fragment) => fragment.bytes),
    m,
  );
  const parityShards: EncodedFragment[] = [];
  for (const [p, bytes] of parity.entries()) {
    options.signal?.throwIfAborted();
    const cid = await computeCid(bytes, encoded.manifest.unixfs);
    parityShards.push({ index: k + p, bytes, cid: cid.toString(), sha256: sha256Hex(bytes) });
    options.onProgress?.({ phase: "cid", done: p + 1, total: m });
  }
  const section: ParitySection = {
    scheme: params.scheme,
    field: PARITY_FIELD,
    matrix: PARITY_MATRIX,
    k,
    m,
    shardLength: params.shardLength,
    dataLengths: params.dataLengths,
    shards: parityShards.map(({ index, bytes, cid, sha256 }) => ({ index, cid, size: bytes.length, sha256 })),
  };
  const manifest = { ...encoded.manifest, parity: section };
  return addSegmentRoots({ ...encoded, manifest, manifestBytes: serializeManifest(manifest), parityShards });
}

/**
 * Refuses a parity count the library cannot compute or a community cannot hold, before any work:
 * m a whole number >= 0, k + m within the field's 256 rows and within MAX_VERSION_SHARDS.
 */
export function checkParityCount(k: number, m: number): void {
  if (!Number.isInteger(m) || m < 0 || k + m > MAX_PARITY_TOTAL_SHARDS) {
    throw new ParityError(
      "PARITY_INVALID_PARAMS",
      `cannot make ${m} parity shards over ${k} fragments: the library takes whole m >= 0 with k + m <= ${MAX_PARITY_TOTAL_SHARDS}`,
    );
  }
  if (k + m > MAX_VERSION_SHARDS) {
    throw new ParityError(
      "PARITY_SHARD_LIMIT",
      `${k} fragments + ${m} parity shards is ${k + m} shards, above the ${MAX_VERSION_SHARDS} members a community holds (one shard each): use --parity ${Math.max(0, MAX_VERSION_SHARDS - k)} or less`,
    );
  }
}
