import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import {
  connectKeyRegistry,
  connectRegistry,
  createNodeAgent,
  encryptionKeysOf,
  formCommunity,
  registerEncryptionKey,
  setUploader,
  type AgentEvent,
  type ClientContext,
  type Registry,
  type NodeAgent,
  type NodeAgentOptions,
} from "@disp/client";
import { createEmbeddedNode, type IpfsNode } from "@disp/ipfs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

// The world deploys through the same Ignition module users deploy with (the deploy module is the
// fixture); it lives with the contracts at the repository root.
import DispModule from "../../../deploy/modules/Disp.js";

/** One storage node: an account, its IPFS node and its agent. */
export interface StorageNode {
  readonly account: HardhatEthersSigner;
  ipfs: IpfsNode;
  agent: NodeAgent;
  readonly directory: string;
  running: boolean;
}

/** A whole DISP deployment on one chain: the registry, storage nodes with agents, a community. */
export interface World {
  readonly chainId: bigint;
  readonly registryAddress: string;
  /** The storage-challenge contract the Disp module deployed beside the registry. */
  readonly challengesAddress: string;
  /** The registry, connected with the admin (also the community manager). */
  readonly registry: Registry;
  /** The deployment block: where log scans start. */
  readonly fromBlock: number;
  readonly communityId: bigint;
  readonly nodes: StorageNode[];
  /** Accounts not used by the admin or the nodes: users (see WorldOptions.uploaders). */
  readonly users: HardhatEthersSigner[];
  /** A client for `user` with its own IPFS node and its encryption keys (registered at start). */
  client(user: HardhatEthersSigner, ipfs: IpfsNode): ClientContext;
  /** A fresh embedded IPFS node in `<directory>/<name>` (a user's node, say). */
  startIpfs(name: string): Promise<IpfsNode>;
  /** Starts one more storage node (opted in, agent running) that is free, not in a community. */
  addNode(): Promise<StorageNode>;
  /** Stops a storage node's agent and IPFS node (what a node going down looks like). */
  stopNode(node: StorageNode): Promise<void>;
  /** Starts a stopped node again from its directory: same blocks, same agent state, same peer id. */
  restartNode(node: StorageNode): Promise<void>;
  /** Restarts only the agent process of a running node (same state file): what an operator's restart does. */
  restartAgent(node: StorageNode, downtime: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  /** Where every node keeps its blocks and agent state. */
  readonly directory: string;
  /** Community size: that many storage nodes are started. */
  readonly communitySize: number;
  readonly pollIntervalMs?: number;
  readonly fetchTimeoutMs?: number;
  readonly onAgentEvent?: (node: number, event: AgentEvent) => void;
  /** How many of the users (the first ones) may store on the community (default: all of them). */
  readonly uploaders?: number;
  /**
   * Settings handed to every node's agent (the world sets the state file, poll interval and
   * timeout). `challenges` defaults to the world's own contract, so every agent answers challenges.
   */
  readonly agent?: Pick<
    NodeAgentOptions,
    "concurrency" | "maxAttempts" | "passBudgetMs" | "quotaBytes" | "challenges"
  >;
  /**
   * Ignition deployment id. On a chain that outlives the process (a local `hardhat node`), Ignition
   * keeps a journal per id and would "find" a registry deployed on an earlier chain: give each
   * devnet its own id.
   */
  readonly deploymentId?: string;
  /** Opens the IPFS node kept in `directory` (default: an embedded node; a test may give Kubo nodes). */
  readonly openIpfs?: (directory: string) => Promise<IpfsNode>;
  /** The registry as `account` sees it (default: connected with the account); a test may route it elsewhere. */
  readonly connectAs?: (registryAddress: string, account: HardhatEthersSigner) => Registry;
}

/**
 * Deploys the registry through its Ignition module, starts `communitySize` storage nodes (each an
 * embedded IPFS node on 127.0.0.1 with its agent, which opts in on chain with the node's addresses)
 * and forms a community of them. Used by the demo, the devnet, the flow benchmark and the tests.
 */
export async function startWorld(connection: NetworkConnection, options: WorldOptions): Promise<World> {
  const { ethers, ignition } = connection;
  const [admin, ...others] = await ethers.getSigners();
  if (admin === undefined) throw new Error("the network has no accounts");
  const deployed = await ignition.deploy(DispModule, {
    displayUi: false,
    ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
  });
  const registryAddress = await deployed.registry.getAddress();
  const challengesAddress = await deployed.challenges.getAddress();
  const fromBlock = await ethers.provider.getBlockNumber();
  const connectAs = (account: HardhatEthersSigner): Registry =>
    options.connectAs?.(registryAddress, account) ?? connectRegistry(registryAddress, account);
  const registry = connectAs(admin);
  const nodeAccounts = others.slice(0, options.communitySize + 2);
  const users = others.slice(options.communitySize + 2);
  const nodes: StorageNode[] = [];
  const openIpfs = options.openIpfs ?? ((directory: string) => createEmbeddedNode({ directory }));
  const extra: IpfsNode[] = [];

  async function startIpfs(name: string): Promise<IpfsNode> {
    const directory = join(options.directory, name);
    await mkdir(directory, { recursive: true });
    const ipfs = await openIpfs(directory);
    extra.push(ipfs);
    return ipfs;
  }

  async function addNode(): Promise<StorageNode> {
    const index = nodes.length;
    const account = nodeAccounts[index];
    if (account === undefined) throw new Error("no account left for another storage node");
    const directory = join(options.directory, `node-${index}`);
    await mkdir(directory, { recursive: true });
    const node: StorageNode = {
      account,
      directory,
      running: false,
      ...(await startNode(index, account, directory)),
    };
    node.running = true;
    nodes.push(node);
    return node;
  }

  async function restartNode(node: StorageNode): Promise<void> {
    if (node.running) return;
    Object.assign(node, await startNode(nodes.indexOf(node), node.account, node.directory));
    node.running = true;
  }

  async function restartAgent(node: StorageNode, downtime: () => Promise<void>): Promise<void> {
    await node.agent.stop();
    try {
      await downtime();
    } finally {
      node.agent = await startAgent(nodes.indexOf(node), node.account, node.directory, node.ipfs);
    }
  }

  async function startNode(
    index: number,
    account: HardhatEthersSigner,
    directory: string,
  ): Promise<{ ipfs: IpfsNode; agent: NodeAgent }> {
    const ipfs = await openIpfs(directory);
    try {
      return { ipfs, agent: await startAgent(index, account, directory, ipfs) };
    } catch (error) {
      await ipfs.stop();
      throw error;
    }
  }

  async function startAgent(
    index: number,
    account: HardhatEthersSigner,
    directory: string,
    ipfs: IpfsNode,
  ): Promise<NodeAgent> {
    const agent = await createNodeAgent(
      { registry: connectAs(account), ipfs, fromBlock },
      {
        challenges: challengesAddress,
        ...options.agent,
        stateFile: join(directory, "agent.json"),
        pollIntervalMs: options.pollIntervalMs ?? 200,
        fetchTimeoutMs: options.fetchTimeoutMs ?? 20_000,
        onEvent: (event) => options.onAgentEvent?.(index, event),
      },
    );
    await agent.start();
    return agent;
  }

  async function stopNode(node: StorageNode): Promise<void> {
    node.running = false;
    await node.agent.stop();
    await node.ipfs.stop();
  }

  async function stop(): Promise<void> {
    await Promise.all(nodes.filter((node) => node.running).map(stopNode));
    await Promise.all(extra.map((ipfs) => ipfs.stop()));
  }

  try {
    for (let i = 0; i < options.communitySize; i++) await addNode();
    const { communityId } = await formCommunity({ registry }, options.communitySize);
    // Registration is the community's decision: the world's users are its uploaders.
    for (const user of users.slice(0, options.uploaders ?? users.length)) {
      await setUploader({ registry }, communityId, user.address, true);
    }
    // Every user (and the admin, the tasks' default account on a devnet) can store and be granted
    // private images: its encryption key is registered.
    const keyRegistry = connectKeyRegistry(await registry.encryptionKeyRegistry(), ethers.provider);
    await Promise.all([admin, ...users].map((user) => registerEncryptionKey(keyRegistry, user)));
    const keysOf = new Map(users.map((user) => [user.address, encryptionKeysOf(user)]));
    return {
      chainId: (await ethers.provider.getNetwork()).chainId,
      registryAddress,
      challengesAddress,
      registry,
      fromBlock,
      communityId,
      nodes,
      users,
      client: (user, ipfs) => ({
        registry: connectAs(user),
        ipfs,
        fromBlock,
        encryptionKeys: keysOf.get(user.address) ?? encryptionKeysOf(user),
      }),
      startIpfs,
      addNode,
      stopNode,
      restartNode,
      restartAgent,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
