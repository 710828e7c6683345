import { importer, type ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";

/**
 * How bytes become a UnixFS DAG. Recorded in every manifest so that anyone re-adding the same
 * bytes with the same settings gets the same CID, on any IPFS implementation.
 */
export interface UnixFsSettings {
  readonly cidVersion: 1;
  readonly rawLeaves: true;
  readonly layout: "balanced";
  /** Bytes per leaf block. */
  readonly chunkSize: number;
  /** Links per interior node of the balanced DAG. */
  readonly maxChildrenPerNode: number;
}

/** What Kubo's `ipfs add --cid-version 1` produces: 256 KiB chunks, 174 links per node, raw leaves. */
export const DEFAULT_UNIXFS: UnixFsSettings = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  layout: "balanced",
  chunkSize: 262_144,
  maxChildrenPerNode: 174,
});

/** The ipfs-unixfs-importer options that realise `settings` (shared by every node implementation). */
export function importerOptions(settings: UnixFsSettings = DEFAULT_UNIXFS): ImporterOptions {
  return {
    cidVersion: settings.cidVersion,
    rawLeaves: settings.rawLeaves,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: settings.chunkSize }),
    layout: balanced({ maxChildrenPerNode: settings.maxChildrenPerNode }),
  };
}

/** Blocks are hashed but kept nowhere: computing a CID needs no node. */
const discard = { put: async (cid: CID) => cid };

/** The CID an IPFS node would give `bytes` under `settings`, computed offline. */
export async function computeCid(bytes: Uint8Array, settings: UnixFsSettings = DEFAULT_UNIXFS): Promise<CID> {
  let root: CID | undefined;
  for await (const entry of importer([{ content: bytes }], discard, importerOptions(settings))) {
    root = entry.cid;
  }
  if (root === undefined) throw new Error("unreachable: the importer yields one entry per file");
  return root;
}
