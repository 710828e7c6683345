import { setTimeout as delay } from "node:timers/promises";

import { maxShardBytes as shardBound, shardEntry } from "@disp/core";
import { isDispError, segmentRoot, sha256Hex } from "@disp/protocol";
import { CID } from "multiformats/cid";

import { createProofResponder } from "./agent-proofs.js";
import { pickFair } from "./agent-schedule.js";
import { obtainShard } from "./agent-shard.js";
import { loadState, saveState, taskKey, type AgentState, type PinTask } from "./agent-state.js";
import { collectTasks } from "./agent-tasks.js";
import { ClientError, messageOf } from "./errors.js";
import type { ClientContext } from "./context.js";
import { publishableAddresses, signNodeBinding } from "./node-contact.js";
import { openVersion, type OpenVersion } from "./open-version.js";
import { placementFor } from "./placement.js";
import { imageIdHex } from "./image-id.js";
import { AGENT_DEFAULTS, type NodeAgent, type NodeAgentOptions, type SyncReport } from "./agent-api.js";

/** Failures that will not heal by trying again: the task is quarantined at once. */
const PERMANENT = new Set([
  // The manifest does not match its root, or a slot this node no longer holds.
  "CLIENT_MANIFEST_MISMATCH",
  "CLIENT_NOT_A_NODE",
  "CLIENT_UNKNOWN_IMAGE",
  "CLIENT_UNKNOWN_VERSION",
  "CLIENT_SHARD_TOO_LARGE",
  "CLIENT_QUOTA_EXCEEDED",
  "IPFS_TOO_LARGE",
]);

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
  const concurrency = Math.max(1, options.concurrency ?? AGENT_DEFAULTS.concurrency);
  const maxAttempts = Math.max(1, options.maxAttempts ?? AGENT_DEFAULTS.maxAttempts);
  const passBudgetMs = options.passBudgetMs ?? AGENT_DEFAULTS.passBudgetMs;
  const quotaBytes = options.quotaBytes ?? AGENT_DEFAULTS.quotaBytes;
  const maxShardBytes = options.maxShardBytes ?? AGENT_DEFAULTS.maxShardBytes;
  let state: AgentState = await loadState(stateFile, fromBlock);
  const retryAt = new Map<string, { at: number; delay: number }>();
  /** Tasks under way, by key, with their registrant. */
  const running = new Map<string, { readonly registrant: string; readonly done: Promise<boolean> }>();
  /** When each registrant last got a slot (a counter), for the round robin. */
  const served = new Map<string, number>();
  /** Image owners, read once per image: the registrant a task is scheduled for. */
  const owners = new Map<string, string>();
  /** Bytes reserved by tasks under way, per registrant, so that concurrent tasks respect the quota. */
  const reserved = new Map<string, number>();
  let saving: Promise<void> = Promise.resolve();
  let filling: Promise<void> = Promise.resolve();
  const abort = new AbortController();
  let loop: Promise<void> | undefined;
  // The agent's own signal and settings, not the caller's: stop() ends its work.
  const agentContext: ClientContext = { registry, ipfs, fromBlock };
  const proofs =
    options.challenges === undefined
      ? undefined
      : createProofResponder(agentContext, registry.challengesAt(options.challenges), address, {
          fromBlock,
          timeoutMs: fetchTimeoutMs,
          emit,
        });

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

  /** Saves the current state; saves run one after another (each writes the newest state). */
  function persist(): Promise<void> {
    const next = saving.then(() => saveState(stateFile, state));
    saving = next.catch(() => undefined);
    return next;
  }

  async function store(task: PinTask, signal: AbortSignal): Promise<string> {
    const imageId = BigInt(task.imageId);
    const version = BigInt(task.version);
    // Best effort: a holder that is down is not a source; the fetch below says if none was.
    const opened = await openVersion(agentContext, imageId, version, {
      timeoutMs: fetchTimeoutMs,
      dialTimeoutMs: 5000,
      signal,
    });
    const { manifest, record } = opened;
    const entry = shardEntry(manifest, task.fragment);
    if (entry === undefined) {
      throw new ClientError("CLIENT_MANIFEST_MISMATCH", `the manifest has no shard ${task.fragment}`);
    }
    // Refused before a byte of it is fetched: what the geometry and codec allow, and this node's cap.
    const bound = Math.min(shardBound(manifest, task.fragment), maxShardBytes);
    if (entry.size > bound) {
      throw new ClientError(
        "CLIENT_SHARD_TOO_LARGE",
        `image ${imageIdHex(imageId)} part ${task.fragment} declares ${entry.size} bytes, more than the ${bound} its ${manifest.image.width}x${manifest.image.height} ${manifest.codec.name} manifest allows`,
      );
    }
    const registrant = opened.info.owner.toLowerCase();
    const cost = entry.size + opened.manifestBytes.length;
    const used = (state.usage[registrant] ?? 0) + (reserved.get(registrant) ?? 0);
    if (used + cost > quotaBytes) {
      throw new ClientError(
        "CLIENT_QUOTA_EXCEEDED",
        `${opened.info.owner} has ${used} bytes on this node; ${cost} more would pass its quota of ${quotaBytes}`,
      );
    }
    reserved.set(registrant, (reserved.get(registrant) ?? 0) + cost);
    try {
      const cid = CID.parse(entry.cid);
      const reading = { timeoutMs: fetchTimeoutMs, signal };
      // Checked before anything is pinned: the manifest is proven against the root, so its digest
      // for this fragment is the leaf's. (Pins are not counted: unpinning after a failed check could
      // drop a pin another image needs, so nothing unproven is ever pinned.) The read stops at the
      // declared size, which the bound above caps.
      const { bytes, rebuilt } = await obtainShard(ipfs, opened, task.fragment, reading);
      if (sha256Hex(bytes) !== entry.sha256) {
        throw new ClientError("CLIENT_MANIFEST_MISMATCH", `shard ${task.fragment} does not match its leaf`);
      }
      // The leaf commits to a segment root too: one no honest node could prove is refused here.
      if (manifest.proofs !== null && segmentRoot(bytes) !== manifest.proofs.roots[task.fragment]) {
        throw new ClientError(
          "CLIENT_MANIFEST_MISMATCH",
          `shard ${task.fragment} does not match its segment root`,
        );
      }
      // The slot may have changed since the task was made (replaced, or back in another slot).
      if (!(await holdsPart(opened, task.fragment))) {
        throw new ClientError(
          "CLIENT_NOT_A_NODE",
          `${address} no longer keeps part ${task.fragment} of image ${imageIdHex(imageId)}`,
        );
      }
      if (rebuilt) {
        // Proven against its entry by restoreShard; added with the manifest's settings, so the
        // node's CID must be the entry's (the leaf on chain is unchanged by a repair).
        const added = await ipfs.add(bytes, manifest.unixfs, { signal });
        if (!added.equals(cid)) {
          await ipfs.unpin(added).catch(() => undefined);
          throw new ClientError(
            "CLIENT_CID_MISMATCH",
            `shard ${task.fragment} rebuilt from parity got the CID ${added} from this node, the manifest says ${entry.cid}`,
          );
        }
      }
      await ipfs.pin(cid, reading);
      await ipfs.pin(record.manifestCid, reading);
      await registry.confirmStorage(imageId, version);
      state = { ...state, usage: { ...state.usage, [registrant]: (state.usage[registrant] ?? 0) + cost } };
      if (rebuilt) emit({ type: "repaired", task, cid: entry.cid });
      return entry.cid;
    } finally {
      reserved.set(registrant, (reserved.get(registrant) ?? cost) - cost);
    }
  }

  /** Whether this node keeps part `fragment` of the image now (its slot, or a replica's whole file). */
  async function holdsPart(opened: OpenVersion, fragment: number): Promise<boolean> {
    const { communityId, nodes } = await placementFor(agentContext, opened.info);
    const mine = (node: string | undefined) => node?.toLowerCase() === address.toLowerCase();
    return communityId === 0n ? fragment === 0 && nodes.some(mine) : mine(nodes[fragment]);
  }

  /** Takes a task out of the work for good, recording why (survives restarts). */
  async function quarantine(task: PinTask, reason: string, code: string | undefined): Promise<void> {
    const key = taskKey(task);
    retryAt.delete(key);
    const attempts = state.attempts[key] ?? 0;
    state = {
      ...state,
      pending: state.pending.filter((other) => taskKey(other) !== key),
      attempts: withoutKey(state.attempts, key),
      quarantined: [
        ...state.quarantined,
        { ...task, reason, attempts, ...(code === undefined ? {} : { code }) },
      ],
    };
    await persist();
    emit({ type: "quarantined", task, reason, ...(code === undefined ? {} : { code }) });
  }

  async function runTask(task: PinTask): Promise<boolean> {
    const key = taskKey(task);
    const attempt = (state.attempts[key] ?? 0) + 1;
    // Counted before it runs: an attempt that kills the process still counts after a restart.
    state = { ...state, attempts: { ...state.attempts, [key]: attempt } };
    await persist();
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(passBudgetMs)]);
    try {
      const cid = await store(task, signal);
      retryAt.delete(key);
      state = {
        ...state,
        pending: state.pending.filter((other) => taskKey(other) !== key),
        done: [...state.done, key],
        attempts: withoutKey(state.attempts, key),
      };
      await persist();
      emit({ type: "stored", task, cid });
      return true;
    } catch (error) {
      if (abort.signal.aborted) {
        // Stopped, not failed: the attempt does not count.
        state = { ...state, attempts: { ...state.attempts, [key]: attempt - 1 } };
        await persist();
        return false;
      }
      const reason = messageOf(error);
      const code = isDispError(error) ? error.code : undefined;
      if (code === undefined) {
        await quarantine(task, `crashed: ${reason}`, undefined);
      } else if (PERMANENT.has(code)) {
        await quarantine(task, reason, code);
      } else if (attempt >= maxAttempts) {
        await quarantine(task, `gave up after ${attempt} attempts: ${reason}`, code);
      } else {
        const wait = Math.min((retryAt.get(key)?.delay ?? 1000) * 2, 60_000);
        retryAt.set(key, { at: Date.now() + wait, delay: wait });
        emit({ type: "failed", task, reason, willRetry: true });
        return false;
      }
      emit({ type: "failed", task, reason, willRetry: false });
      return false;
    }
  }

  /** The registrant a task is done for: its image's owner (unknown images group together). */
  async function registrantOf(task: PinTask): Promise<string> {
    const known = owners.get(task.imageId);
    if (known !== undefined) return known;
    const owner = await registry
      .imageInfo(BigInt(task.imageId))
      .then((info) => info.owner.toLowerCase())
      .catch(() => "unknown");
    owners.set(task.imageId, owner);
    return owner;
  }

  /** Starts ready tasks in the free slots, fairly per registrant. One fill at a time. */
  function pump(): Promise<void> {
    filling = filling.then(fill).catch((error: unknown) => {
      if (!abort.signal.aborted) emit({ type: "error", reason: messageOf(error) });
    });
    return filling;
  }

  async function fill(): Promise<void> {
    if (abort.signal.aborted || running.size >= concurrency) return;
    const now = Date.now();
    const ready = state.pending.filter((task) => {
      const key = taskKey(task);
      return !running.has(key) && (retryAt.get(key)?.at ?? 0) <= now;
    });
    const fresh = [];
    for (const task of ready) {
      // Out of attempts already: the agent stopped (or died) during the last one.
      if ((state.attempts[taskKey(task)] ?? 0) >= maxAttempts) {
        await quarantine(
          task,
          `crashed: the agent stopped during attempt ${maxAttempts} of ${maxAttempts}`,
          undefined,
        );
      } else fresh.push(task);
    }
    // Read at once: a burst of new images must not hold up the slots that are free meanwhile.
    const candidates = await Promise.all(
      fresh.map(async (task) => ({ task, registrant: await registrantOf(task) })),
    );
    const load = new Map<string, number>();
    for (const { registrant } of running.values()) load.set(registrant, (load.get(registrant) ?? 0) + 1);
    for (const { task, registrant } of pickFair(candidates, load, concurrency - running.size, served)) {
      const key = taskKey(task);
      const done = runTask(task).finally(() => {
        running.delete(key);
        void pump();
      });
      running.set(key, { registrant, done });
    }
  }

  /** Turns new events into tasks, keeping what tasks under way changed meanwhile. */
  async function collect(): Promise<void> {
    const before = state;
    const { state: collected, restarted, renewed } = await collectTasks(registry, address, before, fromBlock);
    if (restarted) {
      // Another chain: collectTasks started over from a fresh state, and nothing remembered holds.
      state = collected;
    } else {
      // Tasks under way may have finished meanwhile: keep what they changed, add only what is new.
      const owedAgain = new Set(renewed);
      const done = state.done.filter((key) => !owedAgain.has(key));
      const known = new Set([...done, ...state.pending.map(taskKey), ...state.quarantined.map(taskKey)]);
      const added = collected.pending.filter((task) => !known.has(taskKey(task)));
      state = {
        ...state,
        cursor: collected.cursor,
        ...(collected.cursorHash === undefined ? {} : { cursorHash: collected.cursorHash }),
        ...(collected.backfill === undefined ? {} : { backfill: collected.backfill }),
        replicated: collected.replicated,
        pending: [...state.pending, ...added],
        done,
      };
    }
    await persist();
  }

  /** Resolves when no task is under way and none is ready, or when `signal` fires. */
  async function settle(signal: AbortSignal): Promise<void> {
    for (;;) {
      await pump();
      if (running.size === 0 || signal.aborted) return;
      const stopped = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      await Promise.race([...[...running.values()].map((entry) => entry.done), stopped]);
    }
  }

  async function sync(): Promise<SyncReport> {
    await collect();
    const doneBefore = state.done.length;
    await settle(AbortSignal.any([abort.signal, AbortSignal.timeout(passBudgetMs)]));
    await proofs?.answer(abort.signal);
    emit({ type: "synced", block: state.cursor, pending: state.pending.length });
    return { block: state.cursor, stored: state.done.length - doneBefore, pending: state.pending.length };
  }

  return {
    address,
    join,
    sync,
    async start() {
      if (loop !== undefined) return;
      await join();
      // Tasks run in the background: a slow one never holds up reading new blocks or starting others.
      loop = (async () => {
        while (!abort.signal.aborted) {
          try {
            await collect();
            await pump();
            await proofs?.answer(abort.signal);
            emit({ type: "synced", block: state.cursor, pending: state.pending.length });
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
      await Promise.all([...running.values()].map((entry) => entry.done));
      await filling;
      await saving;
    },
  };
}

/** `record` without `key`. */
function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  return Object.fromEntries(Object.entries(record).filter(([other]) => other !== key));
}
