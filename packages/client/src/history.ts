import { toBeHex, zeroPadValue, type LogDescription } from "ethers";

import { read, type DispRegistry } from "./registry.js";
import { decodeCid, type LogRange } from "./versions.js";

/** Every event that speaks of one image; together they are its audit trail. */
export const IMAGE_EVENTS = [
  "ImageRegistered",
  "VersionAdded",
  "ReplicaAssigned",
  "StorageConfirmed",
  "ImageOwnershipTransferred",
  "EditorGranted",
  "EditorRevoked",
  "ReadGranted",
  "ReadRevoked",
  "ImageVisibilityChanged",
] as const;

export type ImageEventName = (typeof IMAGE_EVENTS)[number];

/** One entry of an image's history, arguments in plain strings (JSON-ready). */
export interface HistoryEntry {
  readonly event: ImageEventName;
  /** The version the event is about, when it is about one (registration is version 1). */
  readonly version?: number;
  readonly args: Readonly<Record<string, string | boolean>>;
  readonly blockNumber: number;
  readonly logIndex: number;
  /** Block time, seconds since the epoch. */
  readonly timestamp: number;
  readonly transactionHash: string;
}

/**
 * An image's whole history from the chain, oldest first: registration and every version, replica
 * assignments, storage receipts, owner transfers, editor and read grants and revocations, visibility
 * changes. One `eth_getLogs` call: the image id is topic 1 of every one of these events.
 */
export async function imageHistory(
  registry: DispRegistry,
  imageId: bigint,
  range: LogRange = {},
): Promise<HistoryEntry[]> {
  await read(registry, () => registry.imageInfo(imageId)); // CLIENT_UNKNOWN_IMAGE if there is none
  const provider = registry.runner?.provider;
  if (provider == null) throw new TypeError("the registry has no provider");
  const topics = IMAGE_EVENTS.map((name) => registry.interface.getEvent(name).topicHash);
  const logs = await provider.getLogs({
    address: await registry.getAddress(),
    fromBlock: range.fromBlock ?? 0,
    toBlock: "latest",
    topics: [topics, zeroPadValue(toBeHex(imageId), 32)],
  });
  const times = new Map<number, number>();
  const entries: HistoryEntry[] = [];
  for (const log of logs) {
    const parsed = registry.interface.parseLog(log);
    if (parsed === null) continue;
    if (!times.has(log.blockNumber)) {
      times.set(log.blockNumber, (await provider.getBlock(log.blockNumber))?.timestamp ?? 0);
    }
    entries.push({
      event: parsed.name as ImageEventName,
      ...versionOf(parsed),
      args: plainArgs(parsed),
      blockNumber: log.blockNumber,
      logIndex: log.index,
      timestamp: times.get(log.blockNumber) ?? 0,
      transactionHash: log.transactionHash,
    });
  }
  return entries;
}

function versionOf(parsed: LogDescription): { version?: number } {
  if (parsed.name === "ImageRegistered") return { version: 1 };
  const index = parsed.fragment.inputs.findIndex((input) => input.name === "version");
  return index < 0 ? {} : { version: Number(parsed.args[index]) };
}

function plainArgs(parsed: LogDescription): Record<string, string | boolean> {
  const args: Record<string, string | boolean> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    const value: unknown = parsed.args[i];
    if (input.name === "imageId" || input.name === "version") return;
    if (input.name === "manifestCid" && typeof value === "string")
      args[input.name] = decodeCid(value).toString();
    else args[input.name] = typeof value === "boolean" ? value : String(value);
  });
  return args;
}
