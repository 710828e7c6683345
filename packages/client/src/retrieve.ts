import { type RgbaImage } from "@disp/protocol";
import { rebuildFromShards, type CodecName, type Fidelity, type ShardPath } from "@disp/core";

import { requireReadAccess } from "./access.js";
import { accountOf, settingsOf, type ClientContext } from "./context.js";
import { ClientError } from "./errors.js";
import { fetchShards, shardsInLeafOrder } from "./fetch-parts.js";
import { openVersion } from "./open-version.js";
import { unsealFor } from "./private-keys.js";
import { visibilityOf, type Visibility } from "./sealed.js";
import type { Unreachable } from "./sources.js";
import type { OnClientProgress } from "./progress.js";
import { imageIdHex } from "./image-id.js";

export interface RetrieveOptions {
  /** The version to read (default: the latest). */
  readonly version?: bigint;
  /** Longest wait for the manifest and for each shard (default: the context's, else 30 s). */
  readonly timeoutMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

export interface RetrieveResult {
  readonly imageId: bigint;
  readonly version: bigint;
  /** "private": decrypted with the signer's content key; "public": viewable by every node. */
  readonly visibility: Visibility;
  readonly codec: CodecName;
  readonly manifestCid: string;
  /** The image file: the original bytes (JPEG-native and file codecs) or a PNG. */
  readonly bytes: Uint8Array;
  readonly extension: string;
  /** Every fragment was there or rebuilt from parity, and verified: the registered image, bit for bit. */
  readonly exact: boolean;
  /** The stored file byte for byte, the stored content in a re-encoded file, or an approximation. */
  readonly fidelity: Fidelity;
  /**
   * How the fragments were had: "merge" all fetched; "parity" some rebuilt exactly from parity
   * shards; "recovery" more shards lost than parity rebuilds, so the missing pixels are estimated.
   */
  readonly path: ShardPath;
  /** Fragments rebuilt bit-exactly from parity shards, ascending. */
  readonly rebuilt: number[];
  /** "k+m" of the version's shards (e.g. "4+2"; "4+0" without parity). */
  readonly shards: string;
  /** Shards (fragments 0 .. k-1, parity k .. k+m-1) absent, timed out or rejected, ascending. */
  readonly lost: number[];
  /** The result hashes to the content hash registered on chain. */
  readonly contentHashVerified: boolean;
  /** Fragments missing from the result (estimated by the recovery), ascending. */
  readonly missing: number[];
  /** Shards that came back but failed their CID or the manifest (tampered): never used. */
  readonly rejected: { readonly index: number; readonly reason: string }[];
  readonly estimatedPixels: number;
  /** Storage nodes that could not be dialled. */
  readonly unreachable: Unreachable[];
  /** The decoded pixels of the result (for comparisons such as PSNR). */
  pixels(): Promise<RgbaImage>;
}

/**
 * Reads an image version from the network: reads the version from the chain, dials the nodes that
 * keep it, fetches the manifest and proves it against the on-chain root; a private version's
 * content key is then unwrapped for the signer (CLIENT_NOT_GRANTED when none was wrapped for it,
 * before any shard is fetched) and its sealed manifest opened, a public version's read grant
 * checked (advisory: its fragments are viewable by anyone holding the CIDs). Then it fetches the data shards (the fragments) concurrently and, where one is missing,
 * unreachable or fails its CID or digest, the parity shards, then rebuilds: the merge (bit-exact,
 * with lost fragments rebuilt from parity while at most m shards are gone), else the recovery
 * (flagged approximate), and checks the content hash. A private version's fragments are restored
 * as ciphertext, then decrypted (a ciphertext failing its GCM tag: CRYPTO_AUTHENTICATION_FAILED).
 */
export async function retrieveImage(
  context: ClientContext,
  imageId: bigint,
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  const { timeoutMs, onProgress, signal } = settingsOf(context, options, 30_000);
  const reader = await accountOf(context);
  if (reader === undefined) {
    throw new ClientError("CLIENT_INVALID_INPUT", "retrieve needs a signer: read access is the signer's");
  }
  // The manifest (and the content hash in it) is checked against the root's manifest leaf.
  const opened = await openVersion(context, imageId, options.version, { timeoutMs, onProgress, signal });
  const { version, manifest, record, unreachable } = opened;
  const sealed = await unsealFor(context, opened);
  if (sealed === undefined) await requireReadAccess(context, imageId, reader);
  const parts = await fetchShards(context.ipfs, opened, { timeoutMs, onProgress, signal });
  if (parts.every((part) => part.bytes === undefined)) {
    throw new ClientError(
      "CLIENT_NOTHING_RETRIEVED",
      `image ${imageIdHex(imageId)} version ${version}: no shard could be fetched (${parts.map((part) => `${part.index}: ${part.reason ?? part.status}`).join("; ")})`,
    );
  }
  const rebuilt = await rebuildFromShards(manifest, shardsInLeafOrder(manifest, parts), {
    onProgress,
    signal,
    ...(sealed === undefined ? {} : { sealed }),
  });
  // Rejected by the IPFS node (bytes that fail their CID) or by the shard check (size, digest).
  const rejected = [
    ...parts.flatMap((part) =>
      part.status === "rejected" ? [{ index: part.index, reason: part.reason ?? "rejected" }] : [],
    ),
    ...rebuilt.shards.rejected.map(({ index, reason }) => ({ index, reason })),
  ].sort((a, b) => a.index - b.index);
  return {
    imageId,
    version,
    visibility: visibilityOf(manifest),
    codec: rebuilt.codec,
    manifestCid: record.manifestCid.toString(),
    bytes: rebuilt.bytes,
    extension: rebuilt.extension,
    exact: rebuilt.exact,
    fidelity: rebuilt.fidelity,
    path: rebuilt.shards.path,
    rebuilt: rebuilt.shards.rebuilt,
    shards: `${manifest.fragments.length}+${manifest.parity?.m ?? 0}`,
    lost: [
      ...new Set([
        ...parts.flatMap((part) =>
          part.status === "missing" || part.status === "rejected" ? [part.index] : [],
        ),
        ...rejected.map(({ index }) => index),
      ]),
    ].sort((a, b) => a - b),
    contentHashVerified: rebuilt.contentHashVerified,
    missing: rebuilt.missing,
    rejected,
    estimatedPixels: rebuilt.estimatedPixels,
    unreachable: [...unreachable],
    pixels: () => rebuilt.pixels(),
  };
}
