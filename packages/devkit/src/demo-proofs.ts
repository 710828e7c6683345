import { rm } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";

import { parseManifest } from "@disp/core";
import {
  retrieveImage,
  verifyImage,
  watchRepairs,
  type AgentEvent,
  type ChallengeState,
  type Challenges,
  type OnClientProgress,
  type RepairResult,
  type SegmentCommitmentProof,
  type StoreResult,
} from "@disp/client";
import { CID } from "@disp/ipfs";
import { buildTree, merkleValues, proofFor, sha256Hex, shardEntries } from "@disp/protocol";
import type { NetworkConnection } from "hardhat/types/network";

import { embeddedBlockStore } from "./tamper.js";
import type { StorageNode, World } from "./world.js";

/** Epochs in which every member is honest, before one loses its shard. */
const HONEST_EPOCHS = 2;
/** Epochs the cheater is given to be caught: two misses in a row are needed for RepairNeeded. */
const MAX_CHEATING_EPOCHS = 4;
/** Longest wait for the agents' answers (they poll every 200 ms) and for the repair. */
const ANSWER_TIMEOUT_MS = 60_000;
const REPAIR_TIMEOUT_MS = 120_000;
const POLL_MS = 200;

export interface ProofRoundOutcome {
  /** Proofs the contract accepted in the round's epochs (its per-challenge records, not the agents' word). */
  readonly proofsAccepted: number;
  /** Epochs from the deletion of a shard to the first miss recorded on chain (null: never caught). */
  readonly cheaterCaughtInEpochs: number | null;
  /** The slot repaired from RepairNeeded verifies on chain and the image comes back byte-exact. */
  readonly autoRepairedExact: boolean;
  readonly cheaterSlot: number;
  /** How long the round took. */
  readonly ms: number;
}

export interface ProofRoundOptions {
  /** The stored file, for the byte-exact check. */
  readonly image: Uint8Array;
  readonly say: (line: string) => void;
  readonly onProgress?: OnClientProgress;
}

/**
 * The storage-challenge scene of the demo. Made before the world starts, to follow the agents'
 * events; `round` then runs the scene on the world's challenge contract.
 */
export interface ProofDemo {
  readonly onAgentEvent: (node: number, event: AgentEvent) => void;
  round(world: World, stored: StoreResult, options: ProofRoundOptions): Promise<ProofRoundOutcome>;
}

/** The challenge scene of the demo, on the challenges contract its world deployed. */
export function proofDemo(connection: NetworkConnection): ProofDemo {
  const { ethers } = connection;
  // Only what the round waits for: which node reported which epoch's challenge as unprovable.
  const unprovable = new Set<string>();
  return {
    onAgentEvent: (node, event) => {
      if (event.type === "unprovable") unprovable.add(`${node}:${event.epoch}`);
    },
    round: async (world, stored, options) => {
      const challenges = world.challengesAddress;
      const contract = await ethers.getContractAt("StorageChallenges", challenges);
      if ((await contract.REGISTRY()) !== world.registryAddress)
        throw new Error(`the contract at ${challenges} is not the world registry's challenges`);
      return round(connection, world, world.registry.challengesAt(challenges), stored, {
        ...options,
        epochBlocks: await contract.EPOCH_BLOCKS(),
        missesForRepair: await contract.MISSES_FOR_REPAIR(),
        unprovable: (node, epoch) => unprovable.has(`${node}:${epoch}`),
      });
    },
  };
}

type Epochs = ReturnType<typeof epochRunner>;

/**
 * Honest epochs (every member proves its shard), then one member loses its shard (its block store
 * deleted) and is caught by the next challenge; its second miss emits RepairNeeded, on which the
 * manager's watcher gives the slot to a free node whose agent rebuilds the shard, with no call
 * from here; the repaired slot then verifies, the image comes back exact and the new member proves.
 */
async function round(
  connection: NetworkConnection,
  world: World,
  challenges: Challenges,
  stored: StoreResult,
  options: ProofRoundOptions & {
    readonly epochBlocks: bigint;
    readonly missesForRepair: bigint;
    readonly unprovable: (node: number, epoch: bigint) => boolean;
  },
): Promise<ProofRoundOutcome> {
  const { say } = options;
  const started = performance.now();
  const members = await world.registry.communityMembers(world.communityId);
  const memberNode = (slot: number): StorageNode => {
    const node = world.nodes.find((n) => n.account.address.toLowerCase() === members[slot]?.toLowerCase());
    if (node === undefined) throw new Error(`no world node keeps slot ${slot}`);
    return node;
  };
  const down = members.map((_, slot) => slot).filter((slot) => !memberNode(slot).running);
  for (const slot of down) await world.restartNode(memberNode(slot));
  if (down.length > 0) say(`slots ${down.join(", ")} are back up: every member answers challenges`);

  const all = (1n << BigInt(members.length)) - 1n;
  const shard0 = await shardZeroProof(memberNode(0), stored);
  const epochs = epochRunner(connection, challenges, options.epochBlocks, stored, shard0);
  let proofsAccepted = 0;
  for (let i = 0; i < HONEST_EPOCHS; i++) {
    const { epoch, answered } = await epochs.run(all, () => false);
    proofsAccepted += bitCount(answered);
    say(
      `challenge epoch ${epoch}: ${bitCount(answered)}/${members.length} slots proved a segment of their shard on chain`,
    );
  }

  const cheaterSlot = Math.min(2, members.length - 1);
  const cheater = memberNode(cheaterSlot);
  const spare = await world.addNode();
  const watcher = await startWatcher(world, challenges, options.onProgress);
  let autoRepairedExact = false;
  let caught: Caught;
  try {
    await world.stopNode(cheater);
    await rm(embeddedBlockStore(cheater.directory), { recursive: true, force: true });
    await world.restartNode(cheater);
    say(
      `slot ${cheaterSlot}'s node deletes its block store and keeps running (a cheater, or a lost disk); a free node and the manager's repair watcher are up`,
    );
    const cheaterIndex = world.nodes.indexOf(cheater);
    caught = await catchCheater(epochs, challenges, stored, cheater, cheaterSlot, members.length, {
      say,
      missesForRepair: options.missesForRepair,
      unprovable: (epoch) => options.unprovable(cheaterIndex, epoch),
    });
    proofsAccepted += caught.proofsAccepted;
    if (caught.repairNeeded) {
      const repairStarted = performance.now();
      const repaired = await watcher.next();
      say(
        `the watcher repaired slot ${repaired.slot} from RepairNeeded onto ${repaired.node.slice(0, 10)} in ${Math.round(performance.now() - repairStarted)} ms: its agent rebuilt the shard from the others and confirmed`,
      );
      autoRepairedExact =
        repaired.slot === cheaterSlot &&
        repaired.node.toLowerCase() === spare.account.address.toLowerCase() &&
        (await repairedExact(world, stored, cheaterSlot, options));
      const { epoch, answered } = await epochs.run(all, () => false);
      proofsAccepted += bitCount(answered);
      say(
        `challenge epoch ${epoch}: ${bitCount(answered)}/${members.length} proved, the new member of slot ${cheaterSlot} among them`,
      );
    }
  } finally {
    await watcher.stop();
  }
  const nodes = [...new Set([...members, spare.account.address])];
  const ms = performance.now() - started;
  say(
    `node records on chain (answered/missed): ${await records(challenges, nodes)}; ${epochs.count()} challenge epochs in ${Math.round(ms)} ms`,
  );
  return {
    proofsAccepted,
    cheaterCaughtInEpochs: caught.inEpochs,
    autoRepairedExact,
    cheaterSlot,
    ms,
  };
}

interface Caught {
  /** Epochs from the deletion to the first miss recorded on chain (null: never caught). */
  readonly inEpochs: number | null;
  readonly repairNeeded: boolean;
  readonly proofsAccepted: number;
}

/**
 * Challenges epoch after epoch until the cheater has missed MISSES_FOR_REPAIR times in a row (the
 * contract then emits RepairNeeded), recording each miss after the window as anyone may.
 */
async function catchCheater(
  epochs: Epochs,
  challenges: Challenges,
  stored: StoreResult,
  cheater: StorageNode,
  slot: number,
  size: number,
  options: {
    readonly say: (line: string) => void;
    readonly missesForRepair: bigint;
    readonly unprovable: (epoch: bigint) => boolean;
  },
): Promise<Caught> {
  const bit = 1n << BigInt(slot);
  const honest = ((1n << BigInt(size)) - 1n) & ~bit;
  let inEpochs: number | null = null;
  let proofsAccepted = 0;
  for (let i = 1; i <= MAX_CHEATING_EPOCHS; i++) {
    const { epoch, answered } = await epochs.run(honest, options.unprovable);
    proofsAccepted += bitCount(answered);
    if ((answered & bit) !== 0n) continue;
    const before = await challenges.nodeRecord(cheater.account.address);
    await challenges.recordMiss(epoch, stored.imageId, stored.version, slot);
    const record = await challenges.nodeRecord(cheater.account.address);
    if (record.missed > before.missed) inEpochs ??= i;
    const repairNeeded = record.missesInARow >= options.missesForRepair;
    options.say(
      `challenge epoch ${epoch}: ${bitCount(answered)}/${size} proved; slot ${slot} did not answer${options.unprovable(epoch) ? " (its agent found no shard of its own to prove)" : ""}, its miss recorded on chain (${record.missesInARow} in a row${repairNeeded ? ": RepairNeeded" : ""})`,
    );
    if (repairNeeded) return { inEpochs, repairNeeded, proofsAccepted };
  }
  return { inEpochs, repairNeeded: false, proofsAccepted };
}

/** The shard-0 leaf a challenge shows to prove the version has segment roots, from a member's copy of the manifest. */
async function shardZeroProof(node: StorageNode, stored: StoreResult): Promise<SegmentCommitmentProof> {
  const manifestBytes = await node.ipfs.cat(CID.parse(stored.manifestCid));
  const manifest = parseManifest(manifestBytes);
  const [shard0] = shardEntries(manifest);
  const segmentRoot = manifest.proofs?.roots[0];
  if (shard0 === undefined || segmentRoot === undefined) throw new Error("the manifest has no segment roots");
  return {
    sha256Digest: shard0.sha256,
    length: shard0.size,
    segmentRoot,
    leafProof: proofFor(buildTree(merkleValues(manifest, manifestBytes)), 0),
  };
}

/**
 * Runs challenge epochs on the in-process chain: mines to the next epoch, opens it, challenges the
 * version, waits until the slots in `expected` answered (and `givenUp` says the others will not),
 * mines past the answer window and reads which slots the contract accepted.
 */
function epochRunner(
  connection: NetworkConnection,
  challenges: Challenges,
  epochBlocks: bigint,
  stored: StoreResult,
  shard0: SegmentCommitmentProof,
) {
  const { ethers, networkHelpers } = connection;
  let count = 0;
  async function run(
    expected: bigint,
    givenUp: (epoch: bigint) => boolean,
  ): Promise<{ epoch: bigint; answered: bigint }> {
    const block = BigInt(await ethers.provider.getBlockNumber());
    await networkHelpers.mineUpTo((block / epochBlocks + 1n) * epochBlocks);
    await challenges.openEpoch();
    await challenges.challenge(stored.imageId, stored.version, shard0);
    const epoch = await challenges.currentEpoch();
    count += 1;
    // Settled once the expected slots answered and every other slot answered or was given up.
    const settled = ({ answered, shards }: ChallengeState) =>
      (answered & expected) === expected &&
      ((answered | expected) === (1n << BigInt(shards)) - 1n || givenUp(epoch));
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    let state = await challenges.challengeOf(epoch, stored.imageId, stored.version);
    while (!settled(state) && Date.now() < deadline) {
      await delay(POLL_MS);
      state = await challenges.challengeOf(epoch, stored.imageId, stored.version);
    }
    await networkHelpers.mineUpTo(state.deadline + 1);
    state = await challenges.challengeOf(epoch, stored.imageId, stored.version);
    return { epoch, answered: state.answered };
  }
  return { run, count: () => count };
}

/**
 * The manager's automation: `watchRepairs` polling in the background from now on; `next` is its
 * first repair (or the watcher's failure), `stop` ends it.
 */
async function startWatcher(world: World, challenges: Challenges, onProgress: OnClientProgress | undefined) {
  const controller = new AbortController();
  let repaired: (result: RepairResult) => void = () => undefined;
  const first = new Promise<RepairResult>((resolve) => (repaired = resolve));
  const watcher = watchRepairs({ registry: world.registry }, challenges, {
    fromBlock: await world.registry.blockNumber(),
    repair: {
      timeoutMs: REPAIR_TIMEOUT_MS,
      signal: controller.signal,
      ...(onProgress ? { onProgress } : {}),
    },
  });
  const running = watcher.run(controller.signal, POLL_MS * 2, (result) => repaired(result));
  // A watcher that fails rejects `next`; one that is stopped leaves it pending.
  const failed = running.then(() => new Promise<never>(() => undefined));
  failed.catch(() => undefined);
  return {
    next: () =>
      Promise.race([
        first,
        failed,
        delay(REPAIR_TIMEOUT_MS + ANSWER_TIMEOUT_MS, undefined, { signal: controller.signal }).then(() => {
          throw new Error("the watcher saw no RepairNeeded event to repair");
        }),
      ]),
    async stop(): Promise<void> {
      controller.abort();
      await running.catch(() => undefined);
    },
  };
}

/** The repaired slot's shard is held by its new node and proven on chain, and a retrieve is byte-exact with it. */
async function repairedExact(
  world: World,
  stored: StoreResult,
  slot: number,
  options: ProofRoundOptions,
): Promise<boolean> {
  const [, reader] = world.users;
  if (reader === undefined) throw new Error("the network needs more accounts");
  const client = world.client(reader, await world.startIpfs("reader-proofs"));
  const report = await verifyImage(client, stored.imageId);
  const evidence = report.slots[slot];
  const held = evidence?.status === "held" && evidence.confirmed && evidence.provenOnChain;
  const result = await retrieveImage(client, stored.imageId, { onProgress: options.onProgress });
  const exact =
    result.exact && sha256Hex(result.bytes) === sha256Hex(options.image) && !result.lost.includes(slot);
  options.say(
    `after the automatic repair: slot ${slot} ${held ? "held and proven on chain" : `NOT held (${evidence?.reason ?? "no evidence"})`}; retrieved exact=${exact} (sha256 of the file)`,
  );
  return held && exact;
}

async function records(challenges: Challenges, nodes: readonly string[]): Promise<string> {
  const lines = await Promise.all(
    nodes.map(async (node) => {
      const record = await challenges.nodeRecord(node);
      return `${node.slice(0, 10)} ${record.answered}/${record.missed}`;
    }),
  );
  return lines.join(", ");
}

function bitCount(mask: bigint): number {
  let count = 0;
  for (let rest = mask; rest > 0n; rest >>= 1n) count += Number(rest & 1n);
  return count;
}
