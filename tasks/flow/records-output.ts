import { imageIdHex, type ChallengeRecordEvent, type HistoryEntry, type Registry } from "@disp/client";

/** One JSON line, big integers as decimal strings. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) => (typeof item === "bigint" ? item.toString() : item));
}

/** A line of disp:history: an image's event or a proof record, in one shape (JSON-ready). */
export type HistoryLine = Omit<HistoryEntry, "event"> & {
  readonly event: HistoryEntry["event"] | "ProofAccepted" | "ProofMissed" | "RepairNeeded";
};

/** Proofs, misses and repairs as history lines, with their blocks' times. */
export async function recordLines(
  registry: Pick<Registry, "blockTimestamp">,
  events: readonly ChallengeRecordEvent[],
): Promise<HistoryLine[]> {
  const times = new Map<number, number>();
  const lines: HistoryLine[] = [];
  for (const event of events) {
    if (!times.has(event.blockNumber)) {
      times.set(event.blockNumber, await registry.blockTimestamp(event.blockNumber));
    }
    const where = {
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      timestamp: times.get(event.blockNumber) ?? 0,
      transactionHash: event.transactionHash,
    };
    if (event.kind === "repair-needed") {
      const args = { communityId: String(event.communityId), slot: String(event.slot), node: event.node };
      lines.push({ event: "RepairNeeded", args, ...where });
    } else {
      lines.push({
        event: event.kind === "proof" ? "ProofAccepted" : "ProofMissed",
        version: Number(event.version),
        args: {
          epoch: String(event.epoch),
          imageId: imageIdHex(event.imageId),
          shard: String(event.shard),
          node: event.node,
        },
        ...where,
      });
    }
  }
  return lines;
}

/** History lines oldest first, for the terminal. */
export function printHistory(lines: readonly HistoryLine[]): void {
  for (const entry of lines) {
    const when = new Date(entry.timestamp * 1000).toISOString();
    const version = entry.version === undefined ? "" : ` v${entry.version}`;
    const details = Object.entries(entry.args)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(" ");
    console.log(`${when}  block ${entry.blockNumber}  ${entry.event}${version}  ${details}`);
  }
}
