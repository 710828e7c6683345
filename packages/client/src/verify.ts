import { buildTree, merkleValues, proofFor } from "@disp/protocol";
import { checkFragmentBytes, fileMatchesContentHash } from "@disp/core";

import { settingsOf, type ClientContext } from "./context.js";
import { fetchParts } from "./fetch-parts.js";
import { openVersion } from "./open-version.js";
import type { OnClientProgress } from "./progress.js";

/** The evidence for one slot of a version. */
export interface SlotEvidence {
  readonly slot: number;
  /** The node that keeps this slot now. */
  readonly node: string;
  /** The fragment this slot keeps (always 0, the whole file, for a replicated image). */
  readonly fragment: number;
  readonly cid: string;
  /** The node signed a storage receipt for this version on chain. */
  readonly confirmed: boolean;
  /**
   * The slot's fragment could be fetched from the network and matches its CID and manifest digest.
   * Bitswap answers from any peer that has it, so this speaks for the fragment; the node's own word
   * that it keeps it is its receipt (`confirmed`). (Challenging one node for its part: a later step.)
   */
  readonly valid: boolean;
  /** The registry's verifyFragment accepted the fragment's leaf and proof. */
  readonly provenOnChain: boolean;
  readonly reason?: string;
}

export interface VerifyReport {
  readonly imageId: bigint;
  readonly version: bigint;
  readonly root: string;
  readonly manifestCid: string;
  /** The version's content hash, from its manifest (proven against the root). */
  readonly contentHash: string;
  /**
   * Given a file to check: whether it is this version's content (its SHA-256, or for the pixel
   * codec the pixel hash of its pixels, equals the proven content hash). Counts towards `ok`.
   */
  readonly fileMatches?: boolean;
  /** Every slot is confirmed, valid and proven on chain (and the file given, if any, matches). */
  readonly ok: boolean;
  readonly slots: SlotEvidence[];
}

/**
 * The evidence check, without rebuilding the image: the manifest proven against the on-chain root,
 * then per slot the storage receipt, the fragment fetched and checked, and its Merkle proof verified
 * by the registry itself. With `file`, also whether that file is the version's content: anyone
 * holding it can prove it is the registered one.
 */
export async function verifyImage(
  context: ClientContext,
  imageId: bigint,
  options: {
    readonly version?: bigint;
    /** A file to prove against the version's content hash. */
    readonly file?: Uint8Array;
    readonly timeoutMs?: number;
    readonly onProgress?: OnClientProgress;
    readonly signal?: AbortSignal;
  } = {},
): Promise<VerifyReport> {
  const { registry } = context;
  const { timeoutMs, onProgress, signal } = settingsOf(context, options, 30_000);
  const opened = await openVersion(context, imageId, options.version, { timeoutMs, signal });
  const { version, manifest, record } = opened;
  const { communityId, nodes } = opened.placement;
  const tree = buildTree(merkleValues(manifest, opened.manifestBytes));
  const parts = await fetchParts(context.ipfs, manifest, {
    timeoutMs,
    signal,
    onProgress,
    redial: () => opened.redial({ timeoutMs: 5000 }),
  });
  const receipts = await registry.storageReceipts(imageId, version, context.fromBlock ?? 0);
  const confirmedBy = new Set(receipts.map((receipt) => `${receipt.slot}:${receipt.node.toLowerCase()}`));

  const slots: SlotEvidence[] = [];
  for (const [slot, node] of nodes.entries()) {
    const fragment = communityId === 0n ? 0 : slot;
    const part = parts[fragment];
    const entry = manifest.fragments[fragment];
    if (part === undefined || entry === undefined) continue;
    const problem =
      part.bytes === undefined
        ? (part.reason ?? part.status)
        : await checkFragmentBytes(manifest, fragment, part.bytes);
    const proof = proofFor(tree, fragment);
    const provenOnChain = await registry.verifyFragment(imageId, version, fragment, entry.sha256, proof);
    slots.push({
      slot,
      node,
      fragment,
      cid: entry.cid,
      confirmed: confirmedBy.has(`${slot}:${node.toLowerCase()}`),
      valid: problem === undefined,
      provenOnChain,
      ...(problem === undefined ? {} : { reason: problem }),
    });
  }
  const fileMatches =
    options.file === undefined ? undefined : await fileMatchesContentHash(manifest, options.file);
  return {
    imageId,
    version,
    root: record.root,
    manifestCid: record.manifestCid.toString(),
    contentHash: manifest.contentHash.digest,
    ...(fileMatches === undefined ? {} : { fileMatches }),
    ok:
      fileMatches !== false &&
      slots.length === nodes.length &&
      slots.every((slot) => slot.confirmed && slot.valid && slot.provenOnChain),
    slots,
  };
}
