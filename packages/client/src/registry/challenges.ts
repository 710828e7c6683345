import type { Hex32, ShardAnswer } from "@disp/protocol";
import type { ContractRunner, ContractTransactionResponse } from "ethers";

import { StorageChallenges__factory, type StorageChallenges } from "../typechain/index.js";
import { mined, readDecoded } from "./calls.js";
import { challengeEvents, type ChallengeEventQuery, type ChallengeEvents } from "./challenge-logs.js";
import { DEFAULT_MAX_LOG_RANGE, paged } from "./logs.js";
import type { Transacted } from "./types.js";

/** One challenged version (a VersionChallenged event). */
export interface ChallengedVersion {
  readonly epoch: bigint;
  readonly imageId: bigint;
  readonly version: bigint;
  readonly communityId: bigint;
  readonly deadline: number;
}

/** A challenge's state: which slots answered and which missed (bit s for slot s). */
export interface ChallengeState {
  readonly deadline: number;
  readonly answered: bigint;
  readonly missed: bigint;
  readonly shards: number;
}

export interface NodeProofRecord {
  readonly answered: bigint;
  readonly missed: bigint;
  readonly missesInARow: bigint;
}

/** A RepairNeeded event: the slot's node missed twice in a row. */
export interface RepairNeeded {
  readonly communityId: bigint;
  readonly slot: number;
  readonly node: string;
  readonly blockNumber: number;
}

/** The leaf of shard 0 a challenge shows, proving the version has segment roots. */
export interface SegmentCommitmentProof {
  readonly sha256Digest: Hex32;
  readonly length: number;
  readonly segmentRoot: Hex32;
  readonly leafProof: readonly Hex32[];
}

/** The storage-challenge contract as the client sees it; reverts come back as ClientErrors. */
export interface Challenges {
  readonly address: string;
  /** The most blocks one `eth_getLogs` spans (the registry's, when reached through `challengesAt`). */
  readonly maxLogRange: number;
  /** The registry the contract challenges for. */
  registryAddress(): Promise<string>;
  /** Blocks per epoch. */
  epochBlocks(): Promise<bigint>;
  currentEpoch(): Promise<bigint>;
  /** The epoch's seed, or undefined until it is opened. */
  epochSeed(epoch: bigint): Promise<Hex32 | undefined>;
  openEpoch(): Promise<Transacted>;
  challenge(imageId: bigint, version: bigint, shard0: SegmentCommitmentProof): Promise<Transacted>;
  challengeOf(epoch: bigint, imageId: bigint, version: bigint): Promise<ChallengeState>;
  /** VersionChallenged events within the range, oldest first (read in pages of `maxLogRange`). */
  challengedVersions(fromBlock: number, toBlock: number): Promise<ChallengedVersion[]>;
  proveBatch(epoch: bigint, answers: readonly ShardAnswer[]): Promise<Transacted>;
  recordMiss(epoch: bigint, imageId: bigint, version: bigint, shard: number): Promise<Transacted>;
  nodeRecord(node: string): Promise<NodeProofRecord>;
  repairsNeeded(fromBlock: number, toBlock: number): Promise<RepairNeeded[]>;
  /** Proofs, misses and RepairNeeded within the query's range, paged by `maxLogRange`, newest kept. */
  recordEvents(query: ChallengeEventQuery): Promise<ChallengeEvents>;
}

/** The challenge contract at `address`, for reads (a provider) or reads and writes (a signer). */
export function connectChallenges(
  address: string,
  runner: ContractRunner | null,
  maxLogRange = DEFAULT_MAX_LOG_RANGE,
): Challenges {
  return new ContractChallenges(address, StorageChallenges__factory.connect(address, runner), maxLogRange);
}

class ContractChallenges implements Challenges {
  readonly address: string;
  readonly maxLogRange: number;
  readonly #contract: StorageChallenges;

  constructor(address: string, contract: StorageChallenges, maxLogRange: number) {
    this.address = address;
    this.maxLogRange = maxLogRange;
    this.#contract = contract;
  }

  registryAddress(): Promise<string> {
    return this.#read(() => this.#contract.REGISTRY());
  }

  epochBlocks(): Promise<bigint> {
    return this.#read(() => this.#contract.EPOCH_BLOCKS());
  }

  recordEvents(query: ChallengeEventQuery): Promise<ChallengeEvents> {
    return challengeEvents(this.#contract, (call) => this.#read(call), this.maxLogRange, query);
  }

  currentEpoch(): Promise<bigint> {
    return this.#read(() => this.#contract.currentEpoch());
  }

  async epochSeed(epoch: bigint): Promise<Hex32 | undefined> {
    const seed = (await this.#read(() => this.#contract.epochSeed(epoch))) as Hex32;
    return BigInt(seed) === 0n ? undefined : seed;
  }

  openEpoch(): Promise<Transacted> {
    return this.#transact(() => this.#contract.openEpoch());
  }

  challenge(imageId: bigint, version: bigint, shard0: SegmentCommitmentProof): Promise<Transacted> {
    const { sha256Digest, length, segmentRoot, leafProof } = shard0;
    return this.#transact(() =>
      this.#contract.challenge(imageId, version, sha256Digest, length, segmentRoot, [...leafProof]),
    );
  }

  async challengeOf(epoch: bigint, imageId: bigint, version: bigint): Promise<ChallengeState> {
    const state = await this.#read(() => this.#contract.challengeOf(epoch, imageId, version));
    return {
      deadline: Number(state.deadline),
      answered: state.answered,
      missed: state.missed,
      shards: Number(state.shards),
    };
  }

  async challengedVersions(fromBlock: number, toBlock: number): Promise<ChallengedVersion[]> {
    const events = await paged(this.maxLogRange, fromBlock, toBlock, (from, to) =>
      this.#read(() => this.#contract.queryFilter(this.#contract.filters.VersionChallenged(), from, to)),
    );
    return events.map(({ args }) => ({
      epoch: args.epoch,
      imageId: args.imageId,
      version: args.version,
      communityId: args.communityId,
      deadline: Number(args.deadline),
    }));
  }

  proveBatch(epoch: bigint, answers: readonly ShardAnswer[]): Promise<Transacted> {
    const tuples = answers.map((answer) => ({
      ...answer,
      segmentProof: [...answer.segmentProof],
      leafProof: [...answer.leafProof],
    }));
    return this.#transact(() => this.#contract.proveBatch(epoch, tuples));
  }

  recordMiss(epoch: bigint, imageId: bigint, version: bigint, shard: number): Promise<Transacted> {
    return this.#transact(() => this.#contract.recordMiss(epoch, imageId, version, shard));
  }

  async nodeRecord(node: string): Promise<NodeProofRecord> {
    const record = await this.#read(() => this.#contract.nodeRecord(node));
    return { answered: record.answered, missed: record.missed, missesInARow: record.missesInARow };
  }

  async repairsNeeded(fromBlock: number, toBlock: number): Promise<RepairNeeded[]> {
    const events = await paged(this.maxLogRange, fromBlock, toBlock, (from, to) =>
      this.#read(() => this.#contract.queryFilter(this.#contract.filters.RepairNeeded(), from, to)),
    );
    return events.map((event) => ({
      communityId: event.args.communityId,
      slot: Number(event.args.slot),
      node: event.args.node,
      blockNumber: event.blockNumber,
    }));
  }

  #read<T>(call: () => Promise<T>): Promise<T> {
    return readDecoded(this.#contract.interface, call);
  }

  async #transact(send: () => Promise<ContractTransactionResponse>): Promise<Transacted> {
    return (await mined(this.#contract.interface, send)).transacted;
  }
}
