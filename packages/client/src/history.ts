import type { ChainContext } from "./context.js";
import type { ImageEvent, ImageEventName } from "./registry/index.js";
import { decodeCid } from "./versions.js";

export { IMAGE_EVENTS, type ImageEventName } from "./registry/index.js";

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
 * changes. The image id is topic 1 of every one of these events, so one `eth_getLogs` per page.
 */
export async function imageHistory(context: ChainContext, imageId: bigint): Promise<HistoryEntry[]> {
  const { registry } = context;
  await registry.imageInfo(imageId); // CLIENT_UNKNOWN_IMAGE if there is none
  const events = await eventsSinceRegistration(context, imageId);
  const times = new Map<number, number>();
  const entries: HistoryEntry[] = [];
  for (const event of events) {
    if (!times.has(event.blockNumber)) {
      times.set(event.blockNumber, await registry.blockTimestamp(event.blockNumber));
    }
    entries.push({
      event: event.name,
      ...versionOf(event),
      args: plainArgs(event),
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      timestamp: times.get(event.blockNumber) ?? 0,
      transactionHash: event.transactionHash,
    });
  }
  return entries;
}

/**
 * The image's events, oldest first, read in pages of the registry's `maxLogRange` from the head
 * back to its registration (its first event), never below the deployment block: as many pages as
 * the image is old, whatever the chain's length before it.
 */
async function eventsSinceRegistration(context: ChainContext, imageId: bigint): Promise<ImageEvent[]> {
  const { registry } = context;
  const floor = context.fromBlock ?? 0;
  const range = registry.maxLogRange;
  const pages: ImageEvent[][] = [];
  for (let to = await registry.blockNumber(); to >= floor; to -= range) {
    const page = await registry.imageEvents(imageId, Math.max(floor, to - range + 1), to);
    pages.unshift(page);
    if (page.some((event) => event.name === "ImageRegistered")) break;
  }
  return pages.flat();
}

function versionOf(event: ImageEvent): { version?: number } {
  if (event.name === "ImageRegistered") return { version: 1 };
  const version = event.args.find((arg) => arg.name === "version");
  return version === undefined ? {} : { version: Number(version.value) };
}

function plainArgs(event: ImageEvent): Record<string, string | boolean> {
  const args: Record<string, string | boolean> = {};
  for (const { name, value } of event.args) {
    if (name === "imageId" || name === "version") continue;
    if (name === "manifestCid" && typeof value === "string") args[name] = decodeCid(value).toString();
    else args[name] = typeof value === "boolean" ? value : String(value);
  }
  return args;
}
