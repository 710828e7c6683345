import { type RgbaImage } from "@disp/protocol";
import { rebuildImageFile, type CodecName, type Fidelity } from "@disp/core";

import { requireReadAccess } from "./access.js";
import { accountOf, settingsOf, type ClientContext } from "./context.js";
import { ClientError } from "./errors.js";
import { fetchParts } from "./fetch-parts.js";
import { openVersion } from "./open-version.js";
import type { Unreachable } from "./sources.js";
import type { OnClientProgress } from "./progress.js";
import { imageIdHex } from "./image-id.js";

export interface RetrieveOptions {
  /** The version to read (default: the latest). */
  readonly version?: bigint;
  /** Longest wait for the manifest and for each fragment (default: the context's, else 30 s). */
  readonly timeoutMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

export interface RetrieveResult {
  readonly imageId: bigint;
  readonly version: bigint;
  readonly codec: CodecName;
  readonly manifestCid: string;
  /** The image file: the original bytes (JPEG-native and file codecs) or a PNG. */
  readonly bytes: Uint8Array;
  readonly extension: string;
  /** Every fragment was there and verified: the result is the registered image, bit for bit. */
  readonly exact: boolean;
  /** The stored file byte for byte, the stored content in a re-encoded file, or an approximation. */
  readonly fidelity: Fidelity;
  /** The result hashes to the content hash registered on chain. */
  readonly contentHashVerified: boolean;
  /** Fragments that were not used (absent, timed out, or rejected), ascending. */
  readonly missing: number[];
  /** Fragments that came back but failed their CID or the manifest (tampered): never used. */
  readonly rejected: { readonly index: number; readonly reason: string }[];
  readonly estimatedPixels: number;
  /** Storage nodes that could not be dialled. */
  readonly unreachable: Unreachable[];
  /** The decoded pixels of the result (for comparisons such as PSNR). */
  pixels(): Promise<RgbaImage>;
}

/**
 * Reads an image version from the network: checks the connected account's read access (advisory
 * until fragments are encrypted; there is no way to read as another account), reads the version from the chain, dials the nodes that keep it, fetches the manifest and
 * proves it against the on-chain root, fetches the fragments concurrently, rejects any that fail their
 * CID or digest, then merges (bit-exact) or recovers (flagged approximate) and checks the content hash.
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
  await requireReadAccess(context, imageId, reader);
  // The manifest (and the content hash in it) is checked against the root's manifest leaf.
  const opened = await openVersion(context, imageId, options.version, { timeoutMs, onProgress, signal });
  const { version, manifest, record, unreachable } = opened;
  const parts = await fetchParts(context.ipfs, manifest, {
    timeoutMs,
    signal,
    onProgress,
    redial: () => opened.redial({ timeoutMs: 5000 }),
  });
  if (parts.every((part) => part.bytes === undefined)) {
    throw new ClientError(
      "CLIENT_NOTHING_RETRIEVED",
      `image ${imageIdHex(imageId)} version ${version}: no fragment could be fetched (${parts.map((part) => `${part.index}: ${part.reason ?? part.status}`).join("; ")})`,
    );
  }
  const rebuilt = await rebuildImageFile(
    manifest,
    parts.map((part) => part.bytes),
    { onProgress, signal },
  );
  const rejected = [
    ...parts.flatMap((part) =>
      part.status === "rejected" ? [{ index: part.index, reason: part.reason ?? "rejected" }] : [],
    ),
    ...rebuilt.rejected,
  ].sort((a, b) => a.index - b.index);
  return {
    imageId,
    version,
    codec: rebuilt.codec,
    manifestCid: record.manifestCid.toString(),
    bytes: rebuilt.bytes,
    extension: rebuilt.extension,
    exact: rebuilt.exact,
    fidelity: rebuilt.fidelity,
    contentHashVerified: rebuilt.contentHashVerified,
    missing: rebuilt.missing,
    rejected,
    estimatedPixels: rebuilt.estimatedPixels,
    unreachable: [...unreachable],
    pixels: () => rebuilt.pixels(),
  };
}
