import type { Manifest } from "@disp/core";
import { CID, isIpfsError, type IpfsNode } from "@disp/ipfs";

import { messageOf } from "./errors.js";
import type { OnClientProgress } from "./progress.js";

/** What became of one fragment's fetch. */
export interface PartFetch {
  readonly index: number;
  readonly cid: string;
  /** The bytes, verified block by block against the CID; undefined when not obtained. */
  readonly bytes?: Uint8Array;
  /** "rejected": bytes came back that do not hash to the CID (a tampered copy); never used. */
  readonly status: "fetched" | "missing" | "rejected";
  readonly reason?: string;
}

/**
 * Fetches every fragment the manifest lists, concurrently, through `ipfs` (which asks its connected
 * peers over bitswap). A fragment that times out or whose holder is gone is missing; one whose bytes
 * fail their CID is rejected. Neither is fatal: the caller recovers or reports.
 */
export async function fetchParts(
  ipfs: IpfsNode,
  manifest: Manifest,
  options: {
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
    readonly onProgress?: OnClientProgress;
    /** Re-dials the holders; called once before a second try of a fetch that ran out of time. */
    readonly redial?: () => Promise<unknown>;
  },
): Promise<PartFetch[]> {
  const total = manifest.fragments.length;
  let done = 0;
  options.onProgress?.({ phase: "fetch", done, total });
  return Promise.all(
    manifest.fragments.map(async ({ index, cid, size }): Promise<PartFetch> => {
      const read = (timeoutMs: number) =>
        ipfs.cat(CID.parse(cid), { timeoutMs, signal: options.signal, maxBytes: size });
      try {
        // Two tries in the same time budget: a connection that dropped or a want that got lost
        // under load is re-established between them.
        const half = Math.max(1, Math.floor(options.timeoutMs / 2));
        const bytes = await read(options.redial === undefined ? options.timeoutMs : half).catch(
          async (error: unknown) => {
            if (options.redial === undefined || !isIpfsError(error, "IPFS_TIMEOUT")) throw error;
            await options.redial();
            return read(options.timeoutMs - half);
          },
        );
        return { index, cid, bytes, status: "fetched" };
      } catch (error) {
        if (options.signal?.aborted === true) throw error;
        const status = isIpfsError(error, "IPFS_INTEGRITY") ? "rejected" : "missing";
        return { index, cid, status, reason: messageOf(error) };
      } finally {
        options.onProgress?.({ phase: "fetch", done: ++done, total });
      }
    }),
  );
}
