import { ClientError } from "../errors.js";
import { ContractCalls } from "./contract-calls.js";
import * as logs from "./logs.js";
import { NODE_STATUSES, type NodeInfo, type StoredVersion, type Transacted } from "./types.js";

/** The Registry's calls on nodes and communities (CommunityRegistry), on the contract. */
export abstract class CommunityCalls extends ContractCalls {
  async nodeInfo(node: string): Promise<NodeInfo> {
    const info = await this.read(() => this.contract.nodeInfo(node));
    const status = NODE_STATUSES[Number(info.status)];
    if (status === undefined) {
      throw new ClientError("CLIENT_REVERTED", `the registry reports an unknown node status ${info.status}`);
    }
    return {
      status,
      communityId: info.communityId,
      slot: Number(info.slot),
      peerId: info.peerId,
      multiaddrs: [...info.multiaddrs],
      peerIdProof: info.peerIdProof,
    };
  }

  async nodeOptedInBlock(node: string): Promise<number> {
    return Number(await this.read(() => this.contract.nodeOptedInBlock(node)));
  }

  async nodeAssignedBlock(node: string): Promise<number> {
    return Number(await this.read(() => this.contract.nodeAssignedBlock(node)));
  }

  optIn(peerId: string, multiaddrs: readonly string[], peerIdProof: string): Promise<Transacted> {
    return this.transact(() => this.contract.optIn(peerId, [...multiaddrs], peerIdProof));
  }

  updateNodeInfo(peerId: string, multiaddrs: readonly string[], peerIdProof: string): Promise<Transacted> {
    return this.transact(() => this.contract.updateNodeInfo(peerId, [...multiaddrs], peerIdProof));
  }

  async communityMembers(communityId: bigint): Promise<string[]> {
    return [...(await this.read(() => this.contract.communityMembers(communityId)))];
  }

  communityCount(): Promise<bigint> {
    return this.read(() => this.contract.communityCount());
  }

  async replacedMembers(communityId: bigint): Promise<string[]> {
    return [...(await this.read(() => this.contract.formerMembers(communityId)))];
  }

  async communityFormedBlock(communityId: bigint): Promise<number> {
    return Number(await this.read(() => this.contract.communityFormedBlock(communityId)));
  }

  freeNodeCount(): Promise<bigint> {
    return this.read(() => this.contract.freeNodeCount());
  }

  async nextFreeNodes(count: number): Promise<string[]> {
    return [...(await this.read(() => this.contract.nextFreeNodes(count)))];
  }

  async isCommunityManager(account: string): Promise<boolean> {
    const role = await this.read(() => this.contract.COMMUNITY_MANAGER_ROLE());
    return this.read(() => this.contract.hasRole(role, account));
  }

  isUploader(communityId: bigint, account: string): Promise<boolean> {
    return this.read(() => this.contract.isUploader(communityId, account));
  }

  setUploader(communityId: bigint, account: string, allowed: boolean): Promise<Transacted> {
    return this.transact(() => this.contract.setUploader(communityId, account, allowed));
  }

  async formCommunity(size: number): Promise<Transacted & { readonly communityId: bigint }> {
    const { transacted, event } = await this.transactWithEvent("CommunityFormed", () =>
      this.contract.formCommunity(size),
    );
    return { ...transacted, communityId: BigInt(event.getValue("communityId") as bigint) };
  }

  async formCommunityWith(nodes: readonly string[]): Promise<Transacted & { readonly communityId: bigint }> {
    const { transacted, event } = await this.transactWithEvent("CommunityFormed", () =>
      this.contract.formCommunityWith([...nodes]),
    );
    return { ...transacted, communityId: BigInt(event.getValue("communityId") as bigint) };
  }

  async replaceMember(communityId: bigint, slot: number): Promise<Transacted & { readonly newNode: string }> {
    const { transacted, event } = await this.transactWithEvent("CommunityMemberReplaced", () =>
      this.contract.replaceMember(communityId, slot),
    );
    return { ...transacted, newNode: String(event.getValue("newNode")) };
  }

  replaceMemberWith(communityId: bigint, slot: number, node: string): Promise<Transacted> {
    return this.transact(() => this.contract.replaceMemberWith(communityId, slot, node));
  }

  removeFreeNode(node: string): Promise<Transacted> {
    return this.transact(() => this.contract.removeFreeNode(node));
  }

  imagesRegisteredWith(communityId: bigint, fromBlock: number, toBlock: number): Promise<bigint[]> {
    return logs.imagesRegisteredWith(
      this.contract,
      this.reader,
      this.maxLogRange,
      communityId,
      fromBlock,
      toBlock,
    );
  }

  versionsAddedWith(communityId: bigint, fromBlock: number, toBlock: number): Promise<StoredVersion[]> {
    return logs.versionsAddedWith(
      this.contract,
      this.reader,
      this.maxLogRange,
      communityId,
      fromBlock,
      toBlock,
    );
  }

  replicaAssignments(node: string, fromBlock: number, toBlock: number): Promise<bigint[]> {
    return logs.replicaAssignments(this.contract, this.reader, this.maxLogRange, node, fromBlock, toBlock);
  }
}
