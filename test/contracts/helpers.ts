import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionResponse, Wallet } from "ethers";

import type { DispRegistry } from "../../packages/client/src/typechain/index.js";

/** `items[index]`, which the test knows exists (fails loudly otherwise). */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at index ${index} of ${items.length}`);
  return item;
}

/** The network's first signers, one per name, in order. */
export async function namedSigners<const Name extends string>(
  ethers: HardhatEthers,
  names: readonly Name[],
): Promise<Record<Name, HardhatEthersSigner>> {
  const all = await ethers.getSigners();
  return Object.fromEntries(names.map((name, i) => [name, at(all, i)])) as Record<Name, HardhatEthersSigner>;
}

/** A storage node's account, able to send its own transactions. */
export type NodeAccount = Wallet;

/** The contact information a test node opts in with. */
export function contactOf(index: number): { peerId: string; multiaddrs: string[] } {
  return {
    peerId: `12D3KooWTestNode${index}`,
    multiaddrs: [`/ip4/127.0.0.1/tcp/${4001 + index}`, `/ip4/127.0.0.1/udp/${4001 + index}/quic-v1`],
  };
}

/**
 * `count` funded accounts that are not among the network's 20 signers (communities reach 64
 * members), deterministic so that failures reproduce.
 */
export async function nodeAccounts(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  count: number,
  first = 0,
): Promise<NodeAccount[]> {
  const nodes: NodeAccount[] = [];
  for (let i = first; i < first + count; i++) {
    const node = new ethers.Wallet(ethers.id(`disp test node ${i}`), ethers.provider);
    await networkHelpers.setBalance(node.address, ethers.parseEther("10"));
    nodes.push(node);
  }
  return nodes;
}

/** Opts `nodes` in, in order, each with `contactOf(first + position)`. */
export async function optInAll(registry: DispRegistry, nodes: NodeAccount[], first = 0): Promise<void> {
  for (const [i, node] of nodes.entries()) {
    const { peerId, multiaddrs } = contactOf(first + i);
    await (await registry.connect(node).optIn(peerId, multiaddrs, "0x")).wait();
  }
}

/** Lets each of `accounts` register images and add versions on `communityId` (as its manager). */
export async function allowUploaders(
  registry: DispRegistry,
  communityId: bigint,
  accounts: readonly (NodeAccount | HardhatEthersSigner)[],
): Promise<void> {
  for (const account of accounts) {
    await (await registry.setUploader(communityId, account.address, true)).wait();
  }
}

/** The addresses of `accounts`, in order. */
export function addressesOf(accounts: readonly (NodeAccount | HardhatEthersSigner)[]): string[] {
  return accounts.map((account) => account.address);
}

/** The status values of `ICommunityRegistry.NodeStatus`. */
export const NodeStatus = { None: 0n, Free: 1n, Serving: 2n } as const;

/**
 * The id of the image that `tx` (a `registerImage` or `registerReplicatedImage`) registered, read
 * from the one `ImageRegistered` event it emitted.
 */
export async function registeredImageId(
  registry: DispRegistry,
  tx: ContractTransactionResponse | Promise<ContractTransactionResponse>,
): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("the registration was not mined");
  const { blockNumber, hash } = receipt;
  const events = (
    await registry.queryFilter(registry.filters.ImageRegistered, blockNumber, blockNumber)
  ).filter((event) => event.transactionHash === hash);
  if (events.length !== 1) throw new Error(`expected one ImageRegistered event, got ${events.length}`);
  return at(events, 0).args.imageId;
}
