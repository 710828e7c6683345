import { computeCid, MANIFEST_UNIXFS } from "@disp/protocol";
import type { ProtectedImage } from "@disp/core";
import { CID, type IpfsNode } from "@disp/ipfs";

import type { ClientContext } from "./context.js";
import { ClientError } from "./errors.js";
import type { OnClientProgress } from "./progress.js";
import { dialNodes } from "./sources.js";

/**
 * Adds the parts and the manifest to the user's node (pinned) and connects it to the storage nodes so
 * they can fetch from it. Every CID must be the one computed offline, else what this call pinned is
 * unpinned again. `added` lists only what was not pinned before: pins are not counted, so a part
 * shared with an image stored earlier must keep its pin whatever happens here.
 */
export async function publish(
  context: ClientContext,
  encoded: ProtectedImage,
  nodes: readonly string[],
  options: { readonly onProgress?: OnClientProgress; readonly signal?: AbortSignal },
): Promise<{ manifest: CID; added: CID[] }> {
  const { ipfs } = context;
  const settings = encoded.manifest.unixfs;
  const shards = [...encoded.fragments, ...encoded.parityShards];
  const pinnedBefore = await pinnedAmong(ipfs, [
    ...shards.map((shard) => shard.cid),
    (await computeCid(encoded.manifestBytes, MANIFEST_UNIXFS)).toString(),
  ]);
  const all: CID[] = [];
  const added = () => all.filter((cid) => !pinnedBefore.has(cid.toString()));
  try {
    const total = shards.length + 1;
    options.onProgress?.({ phase: "add", done: 0, total });
    for (const shard of shards) {
      const cid = await ipfs.add(shard.bytes, settings, { signal: options.signal });
      all.push(cid);
      if (cid.toString() !== shard.cid) {
        throw new ClientError(
          "CLIENT_CID_MISMATCH",
          `the IPFS node gave shard ${shard.index} the CID ${cid}, the manifest says ${shard.cid}: does the node honour the UnixFS settings?`,
        );
      }
      options.onProgress?.({ phase: "add", done: all.length, total });
    }
    // One raw block whatever the fragments' settings: readers refuse any other manifest CID.
    const manifest = await ipfs.add(encoded.manifestBytes, MANIFEST_UNIXFS, { signal: options.signal });
    all.push(manifest);
    options.onProgress?.({ phase: "add", done: total, total });
    const unreachable = await dialNodes(context, nodes, {
      timeoutMs: 10_000,
      signal: options.signal,
    });
    options.onProgress?.({ phase: "dial", done: nodes.length - unreachable.length, total: nodes.length });
    if (unreachable.length > 0) {
      throw new ClientError(
        "CLIENT_NOT_ENOUGH_NODES",
        `cannot reach ${unreachable.map(({ node, reason }) => `${node} (${reason})`).join(", ")}: nothing was registered`,
      );
    }
    return { manifest, added: added() };
  } catch (error) {
    await unpinAll(context, added());
    throw error;
  }
}

/** Which of `cids` the node has pinned already: one question each, not a list of all its pins. */
async function pinnedAmong(ipfs: IpfsNode, cids: readonly string[]): Promise<Set<string>> {
  const pinned = new Set<string>();
  for (const cid of new Set(cids)) if (await ipfs.isPinned(CID.parse(cid))) pinned.add(cid);
  return pinned;
}

export async function unpinAll(context: ClientContext, cids: readonly CID[]): Promise<void> {
  for (const cid of cids) await context.ipfs.unpin(cid).catch(() => undefined);
}
