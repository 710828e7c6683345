import { toBeHex, zeroPadValue } from "ethers";

import type { DispRegistry } from "../typechain/index.js";
import {
  IMAGE_EVENTS,
  type ImageEvent,
  type NodeContact,
  type StorageReceipt,
  type StoredVersion,
  type VersionEvent,
} from "./types.js";

/**
 * Every log query the client makes, in one place: each is an eth_getLogs over a block range. The
 * registry (contract.ts) runs them through its revert decoding.
 */

/** Runs one call through the registry's revert decoding. */
export type Read = <T>(call: () => Promise<T>) => Promise<T>;

function providerOf(contract: DispRegistry) {
  const provider = contract.runner?.provider;
  if (provider == null) throw new TypeError("the registry has no provider");
  return provider;
}

export async function versionEvent(
  contract: DispRegistry,
  read: Read,
  imageId: bigint,
  version: bigint,
  fromBlock: number,
): Promise<VersionEvent | undefined> {
  const found = await read(async () =>
    version === 1n
      ? (await contract.queryFilter(contract.filters.ImageRegistered(imageId), fromBlock)).map((log) => ({
          log,
          editor: log.args.owner,
          manifestCid: log.args.manifestCid,
        }))
      : (await contract.queryFilter(contract.filters.VersionAdded(imageId, version), fromBlock)).map(
          (log) => ({ log, editor: log.args.editor, manifestCid: log.args.manifestCid }),
        ),
  );
  const event = found[0];
  if (event === undefined) return undefined;
  return {
    editor: event.editor,
    manifestCid: event.manifestCid,
    blockNumber: event.log.blockNumber,
    transactionHash: event.log.transactionHash,
  };
}

export async function storageReceipts(
  contract: DispRegistry,
  read: Read,
  imageId: bigint,
  version: bigint,
  fromBlock: number,
): Promise<StorageReceipt[]> {
  const logs = await read(() =>
    contract.queryFilter(contract.filters.StorageConfirmed(imageId, version), fromBlock),
  );
  return logs.map((log) => ({ node: log.args.node, slot: Number(log.args.slot) }));
}

export async function imageEvents(
  contract: DispRegistry,
  read: Read,
  imageId: bigint,
  fromBlock: number,
): Promise<ImageEvent[]> {
  const provider = providerOf(contract);
  const iface = contract.interface;
  const topics = IMAGE_EVENTS.map((name) => iface.getEvent(name).topicHash);
  const address = await contract.getAddress();
  const logs = await read(() =>
    provider.getLogs({
      address,
      fromBlock,
      toBlock: "latest",
      topics: [topics, zeroPadValue(toBeHex(imageId), 32)],
    }),
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

export async function lastPublishedAddresses(
  contract: DispRegistry,
  read: Read,
  node: string,
  fromBlock: number,
): Promise<string[]> {
  const logs = await read(async () => [
    ...(await contract.queryFilter(contract.filters.NodeOptedIn(node), fromBlock)),
    ...(await contract.queryFilter(contract.filters.NodeInfoUpdated(node), fromBlock)),
  ]);
  const last = logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index).at(-1);
  return last === undefined ? [] : [...last.args.multiaddrs];
}

export async function lastPublishedContact(
  contract: DispRegistry,
  read: Read,
  node: string,
  fromBlock: number,
): Promise<NodeContact | undefined> {
  const logs = await read(async () => [
    ...(await contract.queryFilter(contract.filters.NodeOptedIn(node), fromBlock)),
    ...(await contract.queryFilter(contract.filters.NodeInfoUpdated(node), fromBlock)),
  ]);
  const last = logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index).at(-1);
  if (last === undefined) return undefined;
  const { peerId, multiaddrs, peerIdProof } = last.args;
  return { peerId, multiaddrs: [...multiaddrs], peerIdProof };
}

export async function replacedMembers(
  contract: DispRegistry,
  read: Read,
  communityId: bigint,
  fromBlock: number,
): Promise<string[]> {
  const logs = await read(() =>
    contract.queryFilter(contract.filters.CommunityMemberReplaced(communityId), fromBlock),
  );
  return logs.map((log) => log.args.previousNode);
}

export async function joinedCommunity(
  contract: DispRegistry,
  read: Read,
  communityId: bigint,
  node: string,
  fromBlock: number,
  toBlock: number,
): Promise<boolean> {
  return read(
    async () =>
      (
        await contract.queryFilter(
          contract.filters.CommunityMemberAssigned(communityId, undefined, node),
          fromBlock,
          toBlock,
        )
      ).length > 0 ||
      (
        await contract.queryFilter(
          contract.filters.CommunityMemberReplaced(communityId, undefined, node),
          fromBlock,
          toBlock,
        )
      ).length > 0,
  );
}

export async function imagesRegisteredWith(
  contract: DispRegistry,
  read: Read,
  communityId: bigint,
  fromBlock: number,
  toBlock: number,
): Promise<bigint[]> {
  const logs = await read(() =>
    contract.queryFilter(
      contract.filters.ImageRegistered(undefined, undefined, communityId),
      fromBlock,
      toBlock,
    ),
  );
  return logs.map((log) => log.args.imageId);
}

export async function versionsAddedWith(
  contract: DispRegistry,
  read: Read,
  communityId: bigint,
  fromBlock: number,
  toBlock: number,
): Promise<StoredVersion[]> {
  const logs = await read(() =>
    contract.queryFilter(
      contract.filters.VersionAdded(undefined, undefined, communityId),
      fromBlock,
      toBlock,
    ),
  );
  return logs.map((log) => ({ imageId: log.args.imageId, version: log.args.version }));
}

export async function replicaAssignments(
  contract: DispRegistry,
  read: Read,
  node: string,
  fromBlock: number,
  toBlock: number,
): Promise<bigint[]> {
  const logs = await read(() =>
    contract.queryFilter(contract.filters.ReplicaAssigned(undefined, node), fromBlock, toBlock),
  );
  return logs.map((log) => log.args.imageId);
}
