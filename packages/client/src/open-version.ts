import type { Manifest } from "@disp/core";

import type { ClientContext } from "./context.js";
import { checkManifestShape, fetchVerifiedManifest } from "./manifest-check.js";
import { imageIdHex } from "./image-id.js";
import { placementFor, type Placement } from "./placement.js";
import type { OnClientProgress } from "./progress.js";
import type { ImageInfo } from "./registry/index.js";
import { addressBook, dialAddresses, likelyHolders, type AddressBook, type Unreachable } from "./sources.js";
import { versionOf, versionRecordOf, type VersionRecord } from "./versions.js";

/**
 * One version of an image, resolved once: what the chain says of it, who keeps it (dialled), and
 * its manifest proven against the root. Retrieve, verify and the node agent start from it.
 */
export interface OpenVersion {
  readonly info: ImageInfo;
  readonly version: bigint;
  /** The version's root, manifest CID and event. */
  readonly record: VersionRecord;
  /** Who keeps which slot now. */
  readonly placement: Placement;
  /** Everyone who may hold a part: the placement's nodes and members replaced since. */
  readonly holders: readonly string[];
  /** The placement's nodes that could not be dialled (replaced members are tried, not reported). */
  readonly unreachable: readonly Unreachable[];
  /** The holders' published addresses, as read once. */
  readonly addresses: AddressBook;
  /** The manifest, proven against the root and its geometry against the image's. */
  readonly manifest: Manifest;
  readonly manifestBytes: Uint8Array;
  /** Dials the holders again at the addresses already read (after a dropped connection). */
  redial(options: { readonly timeoutMs: number }): Promise<Unreachable[]>;
}

export interface OpenVersionOptions {
  /** Longest wait for the manifest (default: the context's, else 30 s). */
  readonly timeoutMs?: number;
  /** Longest wait to dial one holder (default: the manifest's wait, at most 10 s). */
  readonly dialTimeoutMs?: number;
  /** Receives the "dial" phase. */
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

/**
 * Opens a version (default: the latest): the image's info, the version's record, its placement and
 * likely holders are read once; the holders are dialled; the manifest is fetched and proven against
 * the on-chain root, and its shard count and geometry checked against the image's community
 * (CLIENT_MANIFEST_MISMATCH otherwise). Read access is the caller's to check: verify and the agent
 * read what anyone may.
 */
export async function openVersion(
  context: ClientContext,
  imageId: bigint,
  requested?: bigint,
  options: OpenVersionOptions = {},
): Promise<OpenVersion> {
  const { registry, ipfs } = context;
  const timeoutMs = options.timeoutMs ?? context.timeoutMs ?? 30_000;
  const signal = options.signal ?? context.signal;
  const info = await registry.imageInfo(imageId);
  const version = versionOf(info, requested);
  const record = await versionRecordOf(context, info, version);
  const placement = await placementFor(context, info);
  const holders = await likelyHolders(context, placement);
  const book: AddressBook = await addressBook(context, holders);
  const dial = async (dialTimeoutMs: number) => {
    const unreachable = await dialAddresses(ipfs, book, holders, { timeoutMs: dialTimeoutMs, signal });
    return unreachable.filter(({ node }) => placement.nodes.includes(node));
  };
  const total = placement.nodes.length;
  options.onProgress?.({ phase: "dial", done: 0, total });
  const unreachable = await dial(options.dialTimeoutMs ?? Math.min(timeoutMs, 10_000));
  options.onProgress?.({ phase: "dial", done: total - unreachable.length, total });
  const { manifest, bytes } = await fetchVerifiedManifest(ipfs, record, { timeoutMs, signal });
  checkManifestShape(
    manifest,
    { communityId: info.communityId, fragmentCount: info.fragmentCount, slots: placement.nodes.length },
    `image ${imageIdHex(imageId)} version ${version}`,
  );
  return {
    info,
    version,
    record,
    placement,
    holders,
    unreachable,
    addresses: book,
    manifest,
    manifestBytes: bytes,
    redial: (redial) => dial(redial.timeoutMs),
  };
}
