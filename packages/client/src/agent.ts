import { setTimeout as delay } from "node:timers/promises";

import { sha256Hex } from "@disp/protocol";
import { CID } from "multiformats/cid";

import { loadState, saveState, taskKey, type AgentState, type PinTask } from "./agent-state.js";
import { collectTasks } from "./agent-tasks.js";
import { ClientError, isClientError, messageOf } from "./errors.js";
import type { ClientContext } from "./context.js";
import { publishableAddresses, signNodeBinding } from "./node-contact.js";
import { openVersion, type OpenVersion } from "./open-version.js";
import { placementFor } from "./placement.js";
import { imageIdHex } from "./image-id.js";

/**
 * How the agent runs. Its context is the node operator's: the registry connected with the node's
 * signer (it opts in and signs receipts), the node's IPFS node (where fragments are fetched and
 * pinned), and the deployment block, where a fresh agent starts reading events.
 */
export interface NodeAgentOptions {
  /** Where the agent keeps its progress, so that a restart catches up instead of starting over. */
  readonly stateFile: string;
  /** Pause between passes over new blocks (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Longest wait for a manifest or fragment from the network (default: the context's, else 30 s). */
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
export async function createNodeAgent(context: ClientContext, options: NodeAgentOptions): Promise<NodeAgent> {
  const { registry, ipfs } = context;
  const { stateFile } = options;
  const signer = await registry.account();
  if (signer === undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      "a node agent needs the registry connected with the node's signer",
    );
  }
  const address: string = signer;
  const fromBlock = context.fromBlock ?? 0;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? context.timeoutMs ?? 30_000;
  const emit = options.onEvent ?? (() => undefined);
  let state: AgentState = await loadState(stateFile, fromBlock);
  const retryAt = new Map<string, { at: number; delay: number }>();
  const abort = new AbortController();
  let loop: Promise<void> | undefined;
  // The agent's own signal and settings, not the caller's: stop() ends its work.
  const agentContext: ClientContext = { registry, ipfs, fromBlock };

  async function join(): Promise<void> {
    const peerId = ipfs.peerId;
    const multiaddrs = publishableAddresses(await ipfs.addresses(), peerId);
    const info = await registry.nodeInfo(address);
    // Ed25519 signatures are deterministic: an unchanged binding gives the proof already published.
    const binding = { chainId: await registry.chainId(), registry: registry.address, account: address };
    const proof = await signNodeBinding(ipfs, { ...binding, peerId, multiaddrs });
    if (info.status === "none") {
      await registry.optIn(peerId, multiaddrs, proof);
      emit({ type: "opted-in", node: address, peerId });
    } else if (
      info.peerId !== peerId ||
      info.multiaddrs.join(" ") !== multiaddrs.join(" ") ||
      info.peerIdProof !== proof
    ) {
      await registry.updateNodeInfo(peerId, multiaddrs, proof);
      emit({ type: "info-updated", node: address, peerId });
    }
  }

  async function store(task: PinTask): Promise<string> {
    const imageId = BigInt(task.imageId);
    const version = BigInt(task.version);
    // Best effort: a holder that is down is not a source; the fetch below says if none was.
    const opened = await openVersion(agentContext, imageId, version, {
      timeoutMs: fetchTimeoutMs,
      dialTimeoutMs: 5000,
      signal: abort.signal,
    });
    const { manifest, record } = opened;
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
    if (!(await holdsPart(opened, task.fragment))) {
      throw new ClientError(
        "CLIENT_NOT_A_NODE",
        `${address} no longer keeps part ${task.fragment} of image ${imageIdHex(imageId)}`,
      );
    }
    await ipfs.pin(cid, reading);
    await ipfs.pin(record.manifestCid, reading);
    await registry.confirmStorage(imageId, version);
    return entry.cid;
  }

  /** Whether this node keeps part `fragment` of the image now (its slot, or a replica's whole file). */
  async function holdsPart(opened: OpenVersion, fragment: number): Promise<boolean> {
    const { communityId, nodes } = await placementFor(agentContext, opened.info);
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
          // Stopping ends the wait at once.
          await delay(pollIntervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
        }
      })();
    },
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
