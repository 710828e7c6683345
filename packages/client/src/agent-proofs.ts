import { shardEntry, type Manifest } from "@disp/core";
import {
  answerChallenge,
  buildTree,
  merkleValues,
  type DispMerkleTree,
  type ShardAnswer,
} from "@disp/protocol";
import { CID } from "multiformats/cid";

import type { AgentEvent } from "./agent-api.js";
import type { ClientContext } from "./context.js";
import { messageOf } from "./errors.js";
import { openVersion } from "./open-version.js";
import type { ChallengedVersion, Challenges } from "./registry/index.js";

/** Versions whose manifest and tree stay in memory, so that later epochs do not open them again. */
const MAX_OPENED_VERSIONS = 256;

export interface ProofResponder {
  /**
   * Reads new challenges and answers every open one of this node's slot from its own block store,
   * one `proveBatch` per epoch; returns how many shards it proved.
   */
  answer(signal: AbortSignal): Promise<number>;
}

/**
 * The agent's side of the storage challenges: for each challenged version of its community it
 * reads its own shard from its block store (never from the network: a node that lost its shard
 * must not borrow it from a peer to pass), opens the challenged segment and proves it with the
 * version's leaf. A shard it does not hold, or holds corrupted (the block store verifies every
 * block), goes unanswered and is reported; the chain records the miss.
 */
export function createProofResponder(
  context: ClientContext,
  challenges: Challenges,
  address: string,
  options: {
    readonly fromBlock: number;
    readonly timeoutMs: number;
    readonly emit: (event: AgentEvent) => void;
  },
): ProofResponder {
  const { registry, ipfs } = context;
  let cursor = options.fromBlock;
  const open = new Map<string, ChallengedVersion>();
  const opened = new Map<string, { manifest: Manifest; tree: DispMerkleTree }>();
  const keyOf = (c: { epoch: bigint; imageId: bigint; version: bigint }) =>
    `${c.epoch}:${c.imageId}:${c.version}`;

  async function versionOf(challenge: ChallengedVersion, signal: AbortSignal) {
    const key = `${challenge.imageId}:${challenge.version}`;
    const known = opened.get(key);
    if (known !== undefined) return known;
    const version = await openVersion(context, challenge.imageId, challenge.version, {
      timeoutMs: options.timeoutMs,
      dialTimeoutMs: 2000,
      signal,
    });
    const entry = {
      manifest: version.manifest,
      tree: buildTree(merkleValues(version.manifest, version.manifestBytes)),
    };
    if (opened.size >= MAX_OPENED_VERSIONS) opened.delete(opened.keys().next().value ?? key);
    opened.set(key, entry);
    return entry;
  }

  /** This node's answer for a challenge, or a reason it has none. */
  async function answerFor(
    challenge: ChallengedVersion,
    slot: number,
    signal: AbortSignal,
  ): Promise<ShardAnswer | string> {
    const seed = await challenges.epochSeed(challenge.epoch);
    if (seed === undefined) return "the epoch has no seed";
    const { manifest, tree } = await versionOf(challenge, signal);
    const entry = shardEntry(manifest, slot);
    if (manifest.proofs === null || entry === undefined)
      return "the version has no segment roots for this slot";
    const cid = CID.parse(entry.cid);
    if (!(await ipfs.has(cid))) return `shard ${slot} (${entry.cid}) is not in this node's block store`;
    const bytes = await ipfs.cat(cid, { timeoutMs: options.timeoutMs, maxBytes: entry.size, signal });
    const { imageId, version } = challenge;
    return answerChallenge({ seed, imageId, version, shard: slot, bytes, versionTree: tree });
  }

  /**
   * Proves an epoch's answers in one transaction; if it is refused, each alone, so that one gone
   * late or wrong does not sink the others. Returns the keys of the challenges proved.
   */
  async function proveAll(epoch: bigint, answers: readonly { key: string; answer: ShardAnswer }[]) {
    try {
      await challenges.proveBatch(
        epoch,
        answers.map((entry) => entry.answer),
      );
      return answers.map((entry) => entry.key);
    } catch (error) {
      if (answers.length > 1) {
        const done: string[] = [];
        for (const entry of answers) done.push(...(await proveAll(epoch, [entry])));
        return done;
      }
      options.emit({ type: "error", reason: `challenge ${answers[0]?.key}: ${messageOf(error)}` });
      return [];
    }
  }

  return {
    async answer(signal) {
      const head = await registry.blockNumber();
      if (head > cursor) {
        for (const challenge of await challenges.challengedVersions(cursor + 1, head)) {
          open.set(keyOf(challenge), challenge);
        }
        cursor = head;
      }
      const byEpoch = new Map<bigint, { key: string; answer: ShardAnswer }[]>();
      for (const [key, challenge] of open) {
        // The next block is the earliest an answer lands in.
        if (challenge.deadline <= head) {
          open.delete(key);
          continue;
        }
        const members = await registry.communityMembers(challenge.communityId);
        const slot = members.findIndex((member) => member.toLowerCase() === address.toLowerCase());
        const state = await challenges.challengeOf(challenge.epoch, challenge.imageId, challenge.version);
        if (slot < 0 || ((state.answered | state.missed) >> BigInt(slot)) & 1n) {
          open.delete(key);
          continue;
        }
        let answer: ShardAnswer | string;
        try {
          answer = await answerFor(challenge, slot, signal);
        } catch (error) {
          // The chain or the network failed, not the shard: tried again next pass, until the deadline.
          options.emit({ type: "error", reason: `challenge ${key}: ${messageOf(error)}` });
          continue;
        }
        if (typeof answer === "string") {
          open.delete(key);
          options.emit({
            type: "unprovable",
            epoch: challenge.epoch,
            imageId: challenge.imageId,
            version: challenge.version,
            slot,
            reason: answer,
          });
          continue;
        }
        byEpoch.set(challenge.epoch, [...(byEpoch.get(challenge.epoch) ?? []), { key, answer }]);
      }
      let proved = 0;
      for (const [epoch, answers] of byEpoch) {
        const done = await proveAll(epoch, answers);
        for (const key of done) open.delete(key);
        if (done.length > 0) options.emit({ type: "proved", epoch, count: done.length });
        proved += done.length;
      }
      return proved;
    },
  };
}
