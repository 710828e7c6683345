import { toBeHex, zeroPadValue } from "ethers";

import type { DispRegistry } from "../typechain/index.js";
import { IMAGE_EVENTS, type ImageEvent, type StoredVersion, type VersionEvent } from "./types.js";

/**
 * Every log query the client makes, in one place: each is an eth_getLogs over a block range. The
 * registry (contract.ts) runs them through its revert decoding. A version's event is read in the
 * one block the registry recorded for it; every wider scan is paged (`paged`), so none depends on
 * the chain's length in one request.
 */

/** Runs one call through the registry's revert decoding. */
export type Read = <T>(call: () => Promise<T>) => Promise<T>;

function providerOf(contract: DispRegistry) {
  const provider = contract.runner?.provider;
  if (provider == null) throw new TypeError("the registry has no provider");
  return provider;
}

/** Blocks one `eth_getLogs` spans by default: public providers refuse 2,000-10,000 and more. */
export const DEFAULT_MAX_LOG_RANGE = 2000;

/**
 * Runs `query` over [fromBlock, toBlock] in pages of at most `range` blocks, oldest first: no query
 * spans more than a provider accepts, however long the chain.
 */
export async function paged<T>(
  range: number,
  fromBlock: number,
  toBlock: number,
  query: (from: number, to: number) => Promise<readonly T[]>,
): Promise<T[]> {
  const found: T[] = [];
  for (let from = fromBlock; from <= toBlock; from += range) {
    found.push(...(await query(from, Math.min(toBlock, from + range - 1))));
  }
  return found;
}

/** The version's event, read in `block` alone: the block the registry recorded for it. */
export async function versionEvent(
  contract: DispRegistry,
  read: Read,
  imageId: bigint,
  version: bigint,
  block: number,
): Promise<VersionEvent | undefined> {
  const found = await read(async () =>
    version === 1n
      ? (await contract.queryFilter(contract.filters.ImageRegistered(imageId), block, block)).map((log) => ({
          log,
          editor: log.args.owner,
          manifestCid: log.args.manifestCid,
          previousVersionBlock: undefined,
        }))
      : (await contract.queryFilter(contract.filters.VersionAdded(imageId, version), block, block)).map(
          (log) => ({
            log,
            editor: log.args.editor,
            manifestCid: log.args.manifestCid,
            previousVersionBlock: Number(log.args.previousVersionBlock),
          }),
        ),
  );
  const event = found[0];
  if (event === undefined) return undefined;
  return {
    editor: event.editor,
    manifestCid: event.manifestCid,
    blockNumber: event.log.blockNumber,
    transactionHash: event.log.transactionHash,
    ...(event.previousVersionBlock === undefined ? {} : { previousVersionBlock: event.previousVersionBlock }),
  };
}

export async function imageEvents(
  contract: DispRegistry,
  read: Read,
  range: number,
  imageId: bigint,
  fromBlock: number,
  toBlock: number,
): Promise<ImageEvent[]> {
  const provider = providerOf(contract);
  const iface = contract.interface;
  const topics = IMAGE_EVENTS.map((name) => iface.getEvent(name).topicHash);
  const address = await contract.getAddress();
  const logs = await paged(range, fromBlock, toBlock, (from, to) =>
    read(() =>
      provider.getLogs({
        address,
        fromBlock: from,
        toBlock: to,
        topics: [topics, zeroPadValue(toBeHex(imageId), 32)],
      }),
    ),
  );
  const events: ImageEvent[] = [];
  for (const log of logs) {
    const parsed = iface.parseLog(log);
    const name = IMAGE_EVENTS.find((event) => event === parsed?.name);
    if (parsed === null || name === undefined) continue;
    events.push({
      name,
      args: parsed.fragment.inputs.map((input, i): { name: string; value: unknown } => ({
        name: input.name,
        value: parsed.args[i],
      })),
      blockNumber: log.blockNumber,
      logIndex: log.index,
      transactionHash: log.transactionHash,
    });
  }
  return events;
}

export async function imagesRegisteredWith(
  contract: DispRegistry,
  read: Read,
  range: number,
  communityId: bigint,
  fromBlock: number,
  toBlock: number,
): Promise<bigint[]> {
  const logs = await paged(range, fromBlock, toBlock, (from, to) =>
    read(() =>
      contract.queryFilter(contract.filters.ImageRegistered(undefined, undefined, communityId), from, to),
    ),
  );
  return logs.map((log) => log.args.imageId);
}

export async function versionsAddedWith(
  contract: DispRegistry,
  read: Read,
  range: number,
  communityId: bigint,
  fromBlock: number,
  toBlock: number,
): Promise<StoredVersion[]> {
  const logs = await paged(range, fromBlock, toBlock, (from, to) =>
    read(() =>
      contract.queryFilter(contract.filters.VersionAdded(undefined, undefined, communityId), from, to),
    ),
  );
  return logs.map((log) => ({ imageId: log.args.imageId, version: log.args.version }));
}

export async function replicaAssignments(
  contract: DispRegistry,
  read: Read,
  range: number,
  node: string,
  fromBlock: number,
  toBlock: number,
): Promise<bigint[]> {
  const logs = await paged(range, fromBlock, toBlock, (from, to) =>
    read(() => contract.queryFilter(contract.filters.ReplicaAssigned(undefined, node), from, to)),
  );
  return logs.map((log) => log.args.imageId);
}
