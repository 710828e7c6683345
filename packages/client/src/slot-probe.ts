import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { checkShardBytes, shardEntry, type Manifest } from "@disp/core";
import { CID, createEmbeddedNode, isIpfsError, type IpfsNode } from "@disp/ipfs";

import { messageOf } from "./errors.js";
import { dialAddresses, type AddressBook } from "./sources.js";

/**
 * What a slot's node did when asked for its own shard:
 * - `held`: it served the shard and the bytes match the shard's leaf;
 * - `not-held`: it was reachable but did not serve the shard in time, or served other bytes;
 * - `unreachable`: none of its published addresses could be dialled.
 */
export type SlotStatus = "held" | "not-held" | "unreachable";

export interface SlotAnswer {
  readonly status: SlotStatus;
  readonly reason?: string;
}

export interface SlotQuestion {
  /** The storage node that keeps the slot. */
  readonly node: string;
  /** The shard it keeps: its index in the manifest. */
  readonly fragment: number;
}

export interface ProbeOptions {
  /** Longest wait to dial a slot's node. */
  readonly dialTimeoutMs: number;
  /** Longest wait for the shard once connected. */
  readonly fetchTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Slots asked at once: each question runs its own IPFS node. */
const PROBES_AT_ONCE = 4;

/**
 * Asks each slot's node, and only that node, for the slot's shard. Bitswap answers from any
 * connected peer and a node reads its own store first, so neither the verifier's node nor a peer
 * that happens to hold a copy may answer: each question runs on a fresh IPFS node with an empty
 * block store, connected to the slot's node alone (a bitswap server serves only blocks it holds, so
 * the slot's node cannot fetch the shard from elsewhere to answer). When the verifier's own node
 * is the slot's node (one daemon serving several roles), its own store is the slot's store.
 */
export async function probeSlots(
  own: IpfsNode,
  book: AddressBook,
  manifest: Manifest,
  questions: readonly SlotQuestion[],
  options: ProbeOptions,
): Promise<SlotAnswer[]> {
  const directory = await mkdtemp(join(tmpdir(), "disp-probe-"));
  try {
    const answers: SlotAnswer[] = new Array<SlotAnswer>(questions.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < questions.length; i = next++) {
        const question = questions[i];
        if (question === undefined) continue;
        const target = book.get(question.node);
        const ownSlot = target !== undefined && "peerId" in target && target.peerId === own.peerId;
        answers[i] = ownSlot
          ? await askOwnStore(own, manifest, question.fragment, options)
          : await askAlone(join(directory, String(i)), book, manifest, question, options);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, questions.length) }, worker));
    return answers;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** One question on a fresh node connected to the slot's node only. */
async function askAlone(
  directory: string,
  book: AddressBook,
  manifest: Manifest,
  { node, fragment }: SlotQuestion,
  options: ProbeOptions,
): Promise<SlotAnswer> {
  // Listens nowhere: it only dials out, so no one else can connect to it and answer.
  const probe = await createEmbeddedNode({ directory, listen: [] });
  try {
    const unreachable = await dialAddresses(probe, book, [node], {
      timeoutMs: options.dialTimeoutMs,
      signal: options.signal,
    });
    const failure = unreachable[0];
    if (failure !== undefined) return { status: "unreachable", reason: failure.reason };
    return await fetchShard(probe, manifest, fragment, options);
  } finally {
    await probe.stop();
  }
}

/** The verifier's node is the slot's node: what its own store holds is what the slot holds. */
async function askOwnStore(
  own: IpfsNode,
  manifest: Manifest,
  fragment: number,
  options: ProbeOptions,
): Promise<SlotAnswer> {
  const entry = shardEntry(manifest, fragment);
  if (entry === undefined) return { status: "not-held", reason: "not in the manifest" };
  if (!(await own.has(CID.parse(entry.cid)))) {
    return { status: "not-held", reason: "the node's own store lacks it" };
  }
  return fetchShard(own, manifest, fragment, options);
}

async function fetchShard(
  ipfs: IpfsNode,
  manifest: Manifest,
  fragment: number,
  options: ProbeOptions,
): Promise<SlotAnswer> {
  const entry = shardEntry(manifest, fragment);
  if (entry === undefined) return { status: "not-held", reason: "not in the manifest" };
  let bytes: Uint8Array;
  try {
    bytes = await ipfs.cat(CID.parse(entry.cid), {
      timeoutMs: options.fetchTimeoutMs,
      signal: options.signal,
      maxBytes: entry.size,
    });
  } catch (error) {
    if (isIpfsError(error, "IPFS_ABORTED")) throw error;
    const reason = isIpfsError(error, "IPFS_TIMEOUT")
      ? `did not serve it within ${options.fetchTimeoutMs} ms`
      : messageOf(error);
    return { status: "not-held", reason };
  }
  const problem = await checkShardBytes(entry, manifest.unixfs, bytes);
  return problem === undefined
    ? { status: "held" }
    : { status: "not-held", reason: `served other bytes (${problem.reason})` };
}
