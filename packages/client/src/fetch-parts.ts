import { shardEntries, type FragmentEntry } from "@disp/protocol";
import { CID, isIpfsError, type IpfsNode } from "@disp/ipfs";

import { messageOf } from "./errors.js";
import type { OpenVersion } from "./open-version.js";
import type { OnClientProgress } from "./progress.js";

/** What became of one shard's fetch (a fragment or a parity shard). */
export interface PartFetch {
  readonly index: number;
  readonly cid: string;
  /** The bytes, verified block by block against the CID; undefined when not obtained. */
  readonly bytes?: Uint8Array;
  /**
   * "rejected": bytes came back that do not hash to the CID (a tampered copy); never used.
   * "skipped": not waited for, since enough other shards came first.
   */
  readonly status: "fetched" | "missing" | "rejected" | "skipped";
  readonly reason?: string;
}

/**
 * Fetches the shards `entries` name (from a proven manifest), concurrently, through `ipfs` (which
 * asks its connected peers over bitswap), each read capped at its declared size. A shard that times
 * out or whose holder is gone is missing; one whose bytes fail their CID is rejected. Neither is
 * fatal: the caller rebuilds from parity, recovers or reports.
 */
export async function fetchParts(
  ipfs: IpfsNode,
  entries: readonly FragmentEntry[],
  options: {
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
    readonly onProgress?: OnClientProgress;
    /** Re-dials the holders; called once before a second try of a fetch that ran out of time. */
    readonly redial?: () => Promise<unknown>;
    /** Told of each shard as soon as its fetch ends, fetched or not. */
    readonly onShard?: (part: PartFetch) => void;
    /** Ends the fetches still under way: enough shards were had elsewhere (they count as missing). */
    readonly enough?: AbortSignal;
  },
): Promise<PartFetch[]> {
  const total = entries.length;
  let done = 0;
  options.onProgress?.({ phase: "fetch", done, total });
  const told = (part: PartFetch): PartFetch => {
    options.onShard?.(part);
    return part;
  };
  return Promise.all(
    entries.map(async ({ index, cid, size }): Promise<PartFetch> => {
      const signal =
        options.enough === undefined
          ? options.signal
          : options.signal === undefined
            ? options.enough
            : AbortSignal.any([options.signal, options.enough]);
      const read = (timeoutMs: number) => ipfs.cat(CID.parse(cid), { timeoutMs, signal, maxBytes: size });
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
        return told({ index, cid, bytes, status: "fetched" });
      } catch (error) {
        if (options.signal?.aborted === true) throw error;
        if (options.enough?.aborted === true) {
          return told({
            index,
            cid,
            status: "skipped",
            reason: "not waited for: enough other shards came first",
          });
        }
        const status = isIpfsError(error, "IPFS_INTEGRITY") ? "rejected" : "missing";
        return told({ index, cid, status, reason: messageOf(error) });
      } finally {
        options.onProgress?.({ phase: "fetch", done: ++done, total });
      }
    }),
  );
}

/**
 * The shards of an opened version that a rebuild needs: the data shards (its fragments) and, when
 * one of them is not had, the parity shards; shard `skip` (the one being repaired) is not fetched.
 * The parity fetch starts at once when a data shard's node could not be dialled or the skipped
 * shard is a fragment (k - 1 fragments never suffice), else as soon as a data shard fails; once
 * k shards are had, the fetches still waiting (on a node that is down, say) are ended.
 */
export async function fetchShards(
  ipfs: IpfsNode,
  opened: Pick<OpenVersion, "manifest" | "placement" | "unreachable" | "redial">,
  options: {
    readonly timeoutMs: number;
    readonly onProgress?: OnClientProgress;
    readonly signal?: AbortSignal;
    readonly skip?: number;
  },
): Promise<PartFetch[]> {
  const { manifest, placement } = opened;
  const { onProgress, skip } = options;
  const k = manifest.fragments.length;
  const enough = new AbortController();
  let had = 0;
  const settings = {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    redial: () => opened.redial({ timeoutMs: 5000 }),
    enough: enough.signal,
  };
  const count = (part: PartFetch) => {
    if (part.bytes !== undefined && ++had >= k) enough.abort();
  };
  const parityEntries = (manifest.parity?.shards ?? []).filter(({ index }) => index !== skip);
  let parity: Promise<PartFetch[]> | undefined;
  const fetchParity = () => {
    if (parityEntries.length === 0) return;
    parity ??= fetchParts(ipfs, parityEntries, {
      ...settings,
      onShard: count,
      onProgress: onProgress && ((event) => onProgress({ ...event, phase: "fetch-parity" })),
    });
  };
  const down = new Set(opened.unreachable.map(({ node }) => node));
  if ((skip !== undefined && skip < k) || placement.nodes.slice(0, k).some((node) => down.has(node))) {
    fetchParity();
  }
  const data = await fetchParts(
    ipfs,
    manifest.fragments.filter(({ index }) => index !== skip),
    {
      ...settings,
      ...(onProgress === undefined ? {} : { onProgress }),
      onShard: (part) => {
        count(part);
        if (part.bytes === undefined) fetchParity();
      },
    },
  );
  return [...data, ...((await parity) ?? [])];
}

/** The bytes of every shard of `manifest` in leaf order, from fetches of some of them (undefined where not had). */
export function shardsInLeafOrder(
  manifest: Pick<OpenVersion["manifest"], "fragments" | "parity">,
  parts: readonly PartFetch[],
): (Uint8Array | undefined)[] {
  const byIndex = new Map(parts.map((part) => [part.index, part.bytes]));
  return shardEntries(manifest).map(({ index }) => byIndex.get(index));
}
