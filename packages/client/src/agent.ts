import { sha256Hex } from "@disp/protocol";
import type { IpfsNode } from "@disp/ipfs";
import { CID } from "multiformats/cid";

import { loadState, saveState, taskKey, type AgentState, type PinTask } from "./agent-state.js";
import { collectTasks } from "./agent-tasks.js";
import { ClientError, isClientError, messageOf } from "./errors.js";
import { fetchVerifiedManifest } from "./manifest-check.js";
import { placementOf } from "./placement.js";
import { read, signerOf, transact, type DispRegistry } from "./registry.js";
import { dialNodes, likelyHolders } from "./sources.js";
import { versionRecord } from "./versions.js";
import { imageIdHex } from "./image-id.js";

export interface NodeAgentOptions {
  /** The registry, connected with the node operator's signer (it opts in and signs receipts). */
  readonly registry: DispRegistry;
  /** The node's IPFS node (embedded or Kubo): where fragments are fetched and pinned. */
  readonly ipfs: IpfsNode;
  /** Where the agent keeps its progress, so that a restart catches up instead of starting over. */
  readonly stateFile: string;
  /** The registry's deployment block: where a fresh agent starts reading events (default 0). */
  readonly fromBlock?: number;
  /** Pause between passes over new blocks (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Longest wait for a manifest or fragment from the network (default 30 s). */
  readonly fetchTimeoutMs?: number;
  readonly onEvent?: (event: AgentEvent) => void;
}

export type AgentEvent =
  | { readonly type: "opted-in" | "info-updated"; readonly node: string; readonly peerId: string }
  | { readonly type: "stored"; readonly task: PinTask; readonly cid: string }
  | { readonly type: "failed"; readonly task: PinTask; readonly reason: string; readonly willRetry: boolean }
  | { readonly type: "synced"; readonly block: number; readonly pending: number }
  | { readonly type: "error"; readonly reason: string };

export interface SyncReport {
  readonly block: number;
  readonly stored: number;
  readonly pending: number;
}

export interface NodeAgent {
  /** The node operator's account. */
  readonly address: string;
  /** Opts the node in on chain if needed, keeping its peer id and addresses current. */
  join(): Promise<void>;
  /** One pass: turns new events into tasks, then fetches, verifies, pins and confirms each. */
  sync(): Promise<SyncReport>;
  /** Joins, then syncs every `pollIntervalMs` until stopped. */
  start(): Promise<void>;
  /** Ends the loop (waits for the pass under way). The IPFS node is the caller's to stop. */
  stop(): Promise<void>;
}

/**
 * A storage node's agent: it watches the chain for what its community slot (or a replica
 * assignment) makes it responsible for, fetches that fragment over IPFS, proves it against the
 * version's on-chain root, pins it with the manifest, and signs a storage receipt on chain. Its
 * progress survives restarts, so a node that was down catches up.
 */
export async function createNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  const { registry, ipfs, stateFile } = options;
  const signer = await signerOf(registry);
  if (signer === undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      "a node agent needs the registry connected with the node's signer",
    );
  }
  const address: string = signer;
  const fromBlock = options.fromBlock ?? 0;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 30_000;
  const emit = options.onEvent ?? (() => undefined);
  let state: AgentState = await loadState(stateFile, fromBlock);
  const retryAt = new Map<string, { at: number; delay: number }>();
  const abort = new AbortController();
  let loop: Promise<void> | undefined;

  async function join(): Promise<void> {
    const peerId = ipfs.peerId;
    const multiaddrs = await ipfs.addresses();
    const info = await read(registry, () => registry.nodeInfo(address));
    if (info.status === 0n) {
      await transact(registry, () => registry.optIn(peerId, multiaddrs));
      emit({ type: "opted-in", node: address, peerId });
    } else if (info.peerId !== peerId || info.multiaddrs.join(" ") !== multiaddrs.join(" ")) {
      await transact(registry, () => registry.updateNodeInfo(peerId, multiaddrs));
      emit({ type: "info-updated", node: address, peerId });
    }
  }

  async function store(task: PinTask): Promise<string> {
    const imageId = BigInt(task.imageId);
    const version = BigInt(task.version);
    const record = await versionRecord(registry, imageId, version, { fromBlock });
    // Best effort: a holder that is down is not a source; the fetch below says if none was.
    await dialNodes(registry, ipfs, await likelyHolders(registry, imageId, fromBlock), {
      timeoutMs: 5000,
      signal: abort.signal,
      fromBlock,
    });
    const { manifest } = await fetchVerifiedManifest(ipfs, record, {
      timeoutMs: fetchTimeoutMs,
      signal: abort.signal,
    });
    const entry = manifest.fragments[task.fragment];
    if (entry === undefined) {
      throw new ClientError("CLIENT_MANIFEST_MISMATCH", `the manifest has no fragment ${task.fragment}`);
    }
    const cid = CID.parse(entry.cid);
    const reading = { timeoutMs: fetchTimeoutMs, signal: abort.signal };
    // Checked before anything is pinned: the manifest is proven against the root, so its digest for
    // this fragment is the leaf's. (Pins are not counted: unpinning after a failed check could drop
    // a pin another image needs, so nothing unproven is ever pinned.)
    const bytes = await ipfs.cat(cid, { ...reading, maxBytes: entry.size });
    if (sha256Hex(bytes) !== entry.sha256) {
      throw new ClientError("CLIENT_MANIFEST_MISMATCH", `fragment ${task.fragment} does not match its leaf`);
    }
    // The slot may have changed since the task was made (replaced, or back in another slot).
    if (!(await holdsPart(imageId, task.fragment))) {
      throw new ClientError(
        "CLIENT_NOT_A_NODE",
        `${address} no longer keeps part ${task.fragment} of image ${imageIdHex(imageId)}`,
      );
    }
    await ipfs.pin(cid, reading);
    await ipfs.pin(record.manifestCid, reading);
    await transact(registry, () => registry.confirmStorage(imageId, version));
    return entry.cid;
  }

  /** Whether this node keeps part `fragment` of the image now (its slot, or a replica's whole file). */
  async function holdsPart(imageId: bigint, fragment: number): Promise<boolean> {
    const { communityId, nodes } = await placementOf(registry, imageId);
    const mine = (node: string | undefined) => node?.toLowerCase() === address.toLowerCase();
    return communityId === 0n ? fragment === 0 && nodes.some(mine) : mine(nodes[fragment]);
  }

  async function runTask(task: PinTask): Promise<boolean> {
    const key = taskKey(task);
    const retry = retryAt.get(key);
    if (retry !== undefined && retry.at > Date.now()) return false;
    try {
      const cid = await store(task);
      retryAt.delete(key);
      state = {
        ...state,
        pending: state.pending.filter((other) => other !== task),
        done: [...state.done, taskKey(task)],
      };
      await saveState(stateFile, state);
      emit({ type: "stored", task, cid });
      return true;
    } catch (error) {
      if (abort.signal.aborted) return false;
      // A manifest that does not match its root, or a slot this node no longer holds, will not heal.
      const permanent =
        isClientError(error, "CLIENT_MANIFEST_MISMATCH") || isClientError(error, "CLIENT_NOT_A_NODE");
      if (permanent) {
        retryAt.delete(key);
        state = { ...state, pending: state.pending.filter((other) => other !== task) };
        await saveState(stateFile, state);
      } else {
        const delay = Math.min((retry?.delay ?? 1000) * 2, 60_000);
        retryAt.set(key, { at: Date.now() + delay, delay });
      }
      emit({ type: "failed", task, reason: messageOf(error), willRetry: !permanent });
      return false;
    }
  }

  async function sync(): Promise<SyncReport> {
    const collected = await collectTasks(registry, address, state, fromBlock);
    state = collected.state;
    await saveState(stateFile, state);
    let stored = 0;
    for (const task of [...state.pending]) {
      if (abort.signal.aborted) break;
      if (await runTask(task)) stored++;
    }
    emit({ type: "synced", block: state.cursor, pending: state.pending.length });
    return { block: state.cursor, stored, pending: state.pending.length };
  }

  return {
    address,
    join,
    sync,
    async start() {
      if (loop !== undefined) return;
      await join();
      loop = (async () => {
        while (!abort.signal.aborted) {
          try {
            await sync();
          } catch (error) {
            // The chain or the node may be down for a while: say so and try again next pass.
            if (!abort.signal.aborted) emit({ type: "error", reason: messageOf(error) });
          }
          await sleep(pollIntervalMs, abort.signal);
        }
      })();
    },
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
