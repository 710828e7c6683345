import { toBeHex, zeroPadValue, type Log } from "ethers";

import type { StorageChallenges } from "../typechain/index.js";
import type { Read } from "./logs.js";

/** A node's answer (`proof`) or its recorded miss (`miss`) for one challenged shard. */
export interface ProofEvent {
  readonly kind: "proof" | "miss";
  readonly epoch: bigint;
  readonly imageId: bigint;
  readonly version: bigint;
  readonly shard: number;
  readonly node: string;
  readonly blockNumber: number;
  readonly logIndex: number;
  readonly transactionHash: string;
}

/** A RepairNeeded event with where it was logged. */
export interface RepairNeededEvent {
  readonly kind: "repair-needed";
  readonly communityId: bigint;
  readonly slot: number;
  readonly node: string;
  readonly blockNumber: number;
  readonly logIndex: number;
  readonly transactionHash: string;
}

export type ChallengeRecordEvent = ProofEvent | RepairNeededEvent;

/** Which record events to read: each field narrows by an indexed topic. */
export interface ChallengeEventQuery {
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly node?: string;
  readonly imageId?: bigint;
  /** RepairNeeded of this community only; with `imageId` given and no community, none is read. */
  readonly communityId?: bigint;
  /** The most events kept: the newest ones (the scan runs from `toBlock` back). */
  readonly maxEvents: number;
}

export interface ChallengeEvents {
  /** Oldest first. */
  readonly events: ChallengeRecordEvent[];
  /** Whether older events of the range were left out to stay within `maxEvents`. */
  readonly truncated: boolean;
}

const topicOf = (value: bigint | string | undefined): string | null =>
  value === undefined ? null : zeroPadValue(toBeHex(BigInt(value)), 32);

/**
 * ProofAccepted, ProofMissed and RepairNeeded within the range, read in pages of `range` blocks from
 * the newest back (providers cap `eth_getLogs` ranges), stopping once `maxEvents` are found: a busy
 * contract or a wide range costs pages, never an unbounded list.
 */
export async function challengeEvents(
  contract: StorageChallenges,
  read: Read,
  range: number,
  query: ChallengeEventQuery,
): Promise<ChallengeEvents> {
  const provider = contract.runner?.provider;
  if (provider == null) throw new TypeError("the challenge contract has no provider");
  const address = await contract.getAddress();
  const iface = contract.interface;
  const accepted = iface.getEvent("ProofAccepted").topicHash;
  const missed = iface.getEvent("ProofMissed").topicHash;
  const repair = iface.getEvent("RepairNeeded").topicHash;
  const node = topicOf(query.node);
  const readRepairs = query.imageId === undefined || query.communityId !== undefined;
  const pages: ChallengeRecordEvent[][] = [];
  let count = 0;
  for (let to = query.toBlock; to >= query.fromBlock && count < query.maxEvents; to -= range) {
    const from = Math.max(query.fromBlock, to - range + 1);
    const logs: Log[] = await read(() =>
      provider.getLogs({
        address,
        fromBlock: from,
        toBlock: to,
        topics: [[accepted, missed], null, topicOf(query.imageId), node],
      }),
    );
    if (readRepairs) {
      logs.push(
        ...(await read(() =>
          provider.getLogs({
            address,
            fromBlock: from,
            toBlock: to,
            topics: [repair, topicOf(query.communityId), null, node],
          }),
        )),
      );
    }
    const page = logs
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      .flatMap((log) => decode(contract, log));
    pages.unshift(page);
    count += page.length;
  }
  const events = pages.flat();
  const truncated = events.length > query.maxEvents;
  return { events: truncated ? events.slice(events.length - query.maxEvents) : events, truncated };
}

function decode(contract: StorageChallenges, log: Log): ChallengeRecordEvent[] {
  const parsed = contract.interface.parseLog(log);
  if (parsed === null) return [];
  const value = (name: string): bigint => BigInt(parsed.args.getValue(name) as bigint);
  const node = String(parsed.args.getValue("node"));
  const where = {
    node,
    blockNumber: log.blockNumber,
    logIndex: log.index,
    transactionHash: log.transactionHash,
  };
  if (parsed.name === "ProofAccepted" || parsed.name === "ProofMissed") {
    const kind = parsed.name === "ProofAccepted" ? "proof" : "miss";
    const [epoch, imageId, version] = [value("epoch"), value("imageId"), value("version")];
    return [{ kind, epoch, imageId, version, shard: Number(value("shard")), ...where }];
  }
  if (parsed.name === "RepairNeeded") {
    return [
      { kind: "repair-needed", communityId: value("communityId"), slot: Number(value("slot")), ...where },
    ];
  }
  return [];
}
