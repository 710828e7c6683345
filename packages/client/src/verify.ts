import { buildTree, merkleValues, proofFor, shardLeafDigest } from "@disp/protocol";
import { fileFidelity, shardEntry, type Fidelity } from "@disp/core";

import { settingsOf, type ClientContext } from "./context.js";
import { openVersion } from "./open-version.js";
import { unsealFor } from "./private-keys.js";
import { visibilityOf, type Visibility } from "./sealed.js";
import type { OnClientProgress } from "./progress.js";
import { probeSlots, type SlotStatus } from "./slot-probe.js";

/** The evidence for one slot of a version. */
export interface SlotEvidence {
  readonly slot: number;
  /** The node that keeps this slot now. */
  readonly node: string;
  /** The fragment this slot keeps (always 0, the whole file, for a replicated image). */
  readonly fragment: number;
  readonly cid: string;
  /** The node signed a storage receipt for this version on chain (its word, not evidence). */
  readonly confirmed: boolean;
  /**
   * What the slot's node itself answered when asked for this slot's shard, from a fresh IPFS node
   * connected to it alone: no other copy (the verifier's, the uploader's, a peer's) counts.
   */
  readonly status: SlotStatus;
  /** The registry's verifyFragment accepted the fragment's leaf and proof. */
  readonly provenOnChain: boolean;
  /** Why the slot is not held (or not reachable). */
  readonly reason?: string;
}

export interface VerifyReport {
  readonly imageId: bigint;
  readonly version: bigint;
  readonly root: string;
  readonly manifestCid: string;
  /** "private": every check here is on ciphertext, and needs no key (but `file`'s does). */
  readonly visibility: Visibility;
  /**
   * The version's content hash, from its manifest (proven against the root); of a private version,
   * the SHA-256 of its sealed manifest, unless `file` was given and the sealed one opened.
   */
  readonly contentHash: string;
  /**
   * Given a file to check: whether it is this version's content (its SHA-256, or for the pixel
   * codec the pixel hash of its pixels, equals the proven content hash). Counts towards `ok`.
   */
  readonly fileMatches?: boolean;
  /**
   * What the file given is, when it matches: "fileExact" the stored file byte for byte (the content
   * hash is the file's SHA-256), "contentExact" the stored content in another file (the same pixels,
   * for the pixel codec).
   */
  readonly fileFidelity?: Exclude<Fidelity, "approximate">;
  /** Every slot is held by its node, confirmed and proven on chain (and the file given, if any, matches). */
  readonly ok: boolean;
  readonly slots: SlotEvidence[];
}

export interface VerifyOptions {
  readonly version?: bigint;
  /**
   * A file to prove against the version's content hash. Of a private version, the hash is sealed:
   * the signer's content key opens it (CLIENT_NOT_GRANTED without one).
   */
  readonly file?: Uint8Array;
  /** Longest wait for the manifest, and for each slot's node to serve its shard (default 30 s). */
  readonly timeoutMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

/**
 * The point-in-time evidence check, without rebuilding the image: the manifest proven against the
 * on-chain root (and its geometry against the image's), then per slot the storage receipt, the
 * slot's shard asked of that slot's node alone and checked against its leaf, and its Merkle proof
 * verified by the registry itself. With `file`, also whether that file is the version's content:
 * anyone holding it (and, for a private version, its content key) can prove it is the registered one.
 */
export async function verifyImage(
  context: ClientContext,
  imageId: bigint,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const { registry } = context;
  const { timeoutMs, onProgress, signal } = settingsOf(context, options, 30_000);
  const opened = await openVersion(context, imageId, options.version, { timeoutMs, signal });
  const { version, manifest, record } = opened;
  const { communityId, nodes } = opened.placement;
  const tree = buildTree(merkleValues(manifest, opened.manifestBytes));
  const questions = nodes.map((node, slot) => ({ node, fragment: communityId === 0n ? 0 : slot }));
  onProgress?.({ phase: "fetch", done: 0, total: questions.length });
  const answers = await probeSlots(context.ipfs, opened.addresses, manifest, questions, {
    dialTimeoutMs: Math.min(timeoutMs, 10_000),
    fetchTimeoutMs: timeoutMs,
    signal,
  });
  onProgress?.({ phase: "fetch", done: questions.length, total: questions.length });
  const receipts = await registry.storageReceipts(imageId, version);
  const confirmedBy = new Set(receipts.map((receipt) => `${receipt.slot}:${receipt.node.toLowerCase()}`));

  const slots: SlotEvidence[] = [];
  for (const [slot, { node, fragment }] of questions.entries()) {
    const entry = shardEntry(manifest, fragment);
    const answer = answers[slot];
    if (entry === undefined || answer === undefined) continue;
    const provenOnChain = await registry.verifyFragment(
      imageId,
      version,
      fragment,
      shardLeafDigest(manifest, fragment) ?? entry.sha256,
      proofFor(tree, fragment),
    );
    slots.push({
      slot,
      node,
      fragment,
      cid: entry.cid,
      confirmed: confirmedBy.has(`${slot}:${node.toLowerCase()}`),
      status: answer.status,
      provenOnChain,
      ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    });
  }
  const content =
    options.file === undefined ? manifest : ((await unsealFor(context, opened))?.manifest ?? manifest);
  const fidelity = options.file === undefined ? undefined : await fileFidelity(content, options.file);
  const fileMatches = options.file === undefined ? undefined : fidelity !== undefined;
  return {
    imageId,
    version,
    root: record.root,
    manifestCid: record.manifestCid.toString(),
    visibility: visibilityOf(manifest),
    contentHash: content.contentHash.digest,
    ...(fileMatches === undefined ? {} : { fileMatches }),
    ...(fidelity === undefined ? {} : { fileFidelity: fidelity }),
    ok:
      fileMatches !== false &&
      slots.length === nodes.length &&
      slots.every((slot) => slot.status === "held" && slot.confirmed && slot.provenOnChain),
    slots,
  };
}
