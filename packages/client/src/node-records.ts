import { getAddress, isAddress } from "ethers";

import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import type { ChallengeRecordEvent, Challenges, NodeStatus } from "./registry/index.js";

/** Epochs back from the head that record reads cover by default: never the whole chain. */
export const DEFAULT_RECORD_EPOCHS = 7;
/** The most nodes `nodeRecords` lists by default, and the most any call may ask for. */
export const DEFAULT_MAX_NODES = 1024;
export const MAX_NODES_LIMIT = 10_000;
/** The most proof events one read keeps by default (the newest), and the most any call may ask for. */
export const DEFAULT_MAX_EVENTS = 10_000;
export const MAX_EVENTS_LIMIT = 100_000;
/** Node reads in flight at once: enough to hide latency, few enough for a public provider. */
const READS_IN_FLIGHT = 8;

export interface RecordRange {
  /** The storage-challenge contract deployed with the registry. */
  readonly challenges: string;
  /** Epochs back from `toBlock` the events are read over when `fromBlock` is not given. */
  readonly epochs?: number;
  readonly fromBlock?: number;
  /** Default: the head. */
  readonly toBlock?: number;
  /** The most events kept, newest first (default DEFAULT_MAX_EVENTS). */
  readonly maxEvents?: number;
}

export interface NodeRecordsOptions extends RecordRange {
  /** The most nodes listed (default DEFAULT_MAX_NODES). */
  readonly maxNodes?: number;
}

/** Where a node stands and what it has proved. */
export interface NodeRecordEntry {
  readonly node: string;
  readonly status: NodeStatus;
  /** Its community (0 unless serving) and slot there. */
  readonly communityId: bigint;
  readonly slot: number;
  readonly answered: bigint;
  readonly missed: bigint;
  readonly missesInARow: bigint;
  /** Its last accepted proof within the range read, if any. */
  readonly lastProof?: { readonly epoch: bigint; readonly blockNumber: number };
}

export interface NodeRecords {
  readonly nodes: NodeRecordEntry[];
  /** The blocks the last proofs were looked for in. */
  readonly fromBlock: number;
  readonly toBlock: number;
  /** Whether nodes or events were left out to stay within the caps. */
  readonly truncated: boolean;
}

export interface ProofHistoryOptions extends RecordRange {
  /** Only this node's proofs, misses and repairs. */
  readonly node?: string;
  /** Only this image's proofs and misses, and its community's repairs. */
  readonly imageId?: bigint;
}

export interface ProofHistory {
  /** Oldest first. */
  readonly events: ChallengeRecordEvent[];
  readonly fromBlock: number;
  readonly toBlock: number;
  /** Whether older events of the range were left out (more than `maxEvents`). */
  readonly truncated: boolean;
}

/**
 * Every node the registry knows now (the free pool, then each community's members by slot) with its
 * status and its proof record, and its last proof within a recent range of blocks. Bounded: at most
 * `maxNodes` nodes, and the events of `epochs` epochs read in pages of the registry's `maxLogRange`.
 */
export async function nodeRecords(context: ChainContext, options: NodeRecordsOptions): Promise<NodeRecords> {
  const { registry } = context;
  const maxNodes = countOption(options.maxNodes ?? DEFAULT_MAX_NODES, MAX_NODES_LIMIT, "maxNodes");
  const challenges = await openChallenges(context, options.challenges);
  const known = await knownNodes(context, maxNodes);
  const range = await recordRange(context, challenges, options);
  const { events, truncated } = await challenges.recordEvents(range);
  const lastProofs = new Map<string, { epoch: bigint; blockNumber: number }>();
  for (const event of events) {
    if (event.kind === "proof") {
      lastProofs.set(event.node.toLowerCase(), { epoch: event.epoch, blockNumber: event.blockNumber });
    }
  }
  const nodes: NodeRecordEntry[] = [];
  for (let i = 0; i < known.nodes.length; i += READS_IN_FLIGHT) {
    const batch = known.nodes.slice(i, i + READS_IN_FLIGHT);
    nodes.push(
      ...(await Promise.all(
        batch.map(async (node) => {
          const [info, record] = await Promise.all([registry.nodeInfo(node), challenges.nodeRecord(node)]);
          const lastProof = lastProofs.get(node.toLowerCase());
          return {
            node,
            status: info.status,
            communityId: info.communityId,
            slot: info.slot,
            ...record,
            ...(lastProof === undefined ? {} : { lastProof }),
          };
        }),
      )),
    );
  }
  return {
    nodes,
    fromBlock: range.fromBlock,
    toBlock: range.toBlock,
    truncated: known.truncated || truncated,
  };
}

/**
 * Proofs, misses and RepairNeeded from the challenge contract's events, of one node, one image or
 * all, over a caller-given range or the last `epochs` epochs (never from block 0 by default).
 * An unknown image is CLIENT_UNKNOWN_IMAGE; a node the registry never knew, CLIENT_NOT_A_NODE.
 */
export async function proofHistory(
  context: ChainContext,
  options: ProofHistoryOptions,
): Promise<ProofHistory> {
  const { registry } = context;
  const challenges = await openChallenges(context, options.challenges);
  const node = options.node === undefined ? undefined : addressOption(options.node, "node");
  if (node !== undefined) {
    const [info, record] = await Promise.all([registry.nodeInfo(node), challenges.nodeRecord(node)]);
    if (info.status === "none" && record.answered === 0n && record.missed === 0n) {
      throw new ClientError(
        "CLIENT_NOT_A_NODE",
        `${node} is not a storage node of registry ${registry.address} and has no proof record`,
      );
    }
  }
  const communityId =
    options.imageId === undefined ? undefined : (await registry.imageInfo(options.imageId)).communityId;
  const range = await recordRange(context, challenges, options);
  const { events, truncated } = await challenges.recordEvents({
    ...range,
    ...(node === undefined ? {} : { node }),
    ...(options.imageId === undefined ? {} : { imageId: options.imageId }),
    // A replicated image (community 0) is never challenged: it has no repairs to show.
    ...(communityId === undefined || communityId === 0n ? {} : { communityId }),
  });
  return { events, fromBlock: range.fromBlock, toBlock: range.toBlock, truncated };
}

/** The challenge contract at `address`, checked to be the one of the context's registry. */
async function openChallenges(context: ChainContext, address: string): Promise<Challenges> {
  const { registry } = context;
  const checked = addressOption(address, "challenges");
  const challenges = registry.challengesAt(checked);
  const served = await challenges.registryAddress().catch(() => undefined);
  if (served === undefined || served.toLowerCase() !== registry.address.toLowerCase()) {
    throw new ClientError(
      "CLIENT_NO_REGISTRY",
      `no storage-challenge contract of registry ${registry.address} at ${checked}: check the address`,
    );
  }
  return challenges;
}

/** The free pool, then every community's members by slot, at most `maxNodes` of them. */
async function knownNodes(
  context: ChainContext,
  maxNodes: number,
): Promise<{ nodes: string[]; truncated: boolean }> {
  const { registry } = context;
  const free = await registry.freeNodeCount();
  const nodes = await registry.nextFreeNodes(Math.min(Number(free), maxNodes));
  let truncated = free > BigInt(nodes.length);
  const communities = await registry.communityCount();
  for (let id = 1n; id <= communities; id++) {
    if (nodes.length >= maxNodes) {
      truncated = true;
      break;
    }
    const members = await registry.communityMembers(id);
    const room = maxNodes - nodes.length;
    if (members.length > room) truncated = true;
    nodes.push(...members.slice(0, room));
  }
  return { nodes, truncated };
}

/** The block range to read events over, checked: the caller's, or the last `epochs` epochs. */
async function recordRange(
  context: ChainContext,
  challenges: Challenges,
  options: RecordRange,
): Promise<{ fromBlock: number; toBlock: number; maxEvents: number }> {
  const maxEvents = countOption(options.maxEvents ?? DEFAULT_MAX_EVENTS, MAX_EVENTS_LIMIT, "maxEvents");
  const head = await context.registry.blockNumber();
  const toBlock = options.toBlock === undefined ? head : blockOption(options.toBlock, "toBlock");
  let fromBlock: number;
  if (options.fromBlock === undefined) {
    const epochs = countOption(options.epochs ?? DEFAULT_RECORD_EPOCHS, 10_000, "epochs");
    const span = BigInt(epochs) * (await challenges.epochBlocks());
    // Blocks toBlock - span + 1 .. toBlock, none below block 0 or the deployment.
    const back = span < BigInt(toBlock + 1) ? Number(span) : toBlock + 1;
    fromBlock = Math.max(context.fromBlock ?? 0, toBlock + 1 - back);
  } else {
    fromBlock = blockOption(options.fromBlock, "fromBlock");
  }
  if (fromBlock > toBlock) {
    throw new ClientError("CLIENT_INVALID_INPUT", `fromBlock ${fromBlock} is after toBlock ${toBlock}`);
  }
  return { fromBlock, toBlock, maxEvents };
}

function addressOption(value: string, name: string): string {
  if (!isAddress(value)) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `${name} must be an address (0x and 40 hex digits), got "${value}"`,
    );
  }
  return getAddress(value);
}

function countOption(value: number, limit: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > limit) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `${name} must be a whole number from 1 to ${limit}, got ${value}`,
    );
  }
  return value;
}

function blockOption(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ClientError("CLIENT_INVALID_INPUT", `${name} must be a block number >= 0, got ${value}`);
  }
  return value;
}
