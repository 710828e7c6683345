import { join } from "node:path";

import {
  checkRegistry,
  connectRegistry,
  encryptionKeysOf,
  type ClientContext,
  type Registry,
  type OnClientProgress,
} from "@disp/client";
import type { EncryptionKeyPair } from "@disp/crypto";
import { createEmbeddedNode, createKuboNode, type IpfsNode } from "@disp/ipfs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";

import { TaskInputError } from "../cli.js";
import { given } from "../option-specs.js";
import { accountOption, addressOption, type AccountOption } from "../options.js";
import { progressBar } from "../progress-bar.js";
import { readDeployment, type Deployment } from "./deployment.js";

export interface SessionArgs {
  registry?: string;
  /** The storage-challenge contract (default: the one disp:devnet recorded with the registry). */
  challenges?: string;
  /** An address or an index into the network's accounts (default 0). */
  from?: string;
}

/** A task's view of one deployment: the chain connection, the registry and the acting account. */
export interface Session {
  readonly connection: NetworkConnection;
  readonly networkName: string;
  readonly account: HardhatEthersSigner;
  readonly registry: Registry;
  readonly deployment: Deployment;
  readonly fromBlock: number;
  /** The storage-challenge contract: --challenges, else the deployment's; undefined when neither. */
  readonly challenges: string | undefined;
  /** The account's encryption key pair, derived from its wallet's signature when first needed. */
  readonly encryptionKeys: () => Promise<EncryptionKeyPair>;
}

/**
 * Connects to the network the user chose (`--network`), finds the registry (`--registry`, or the
 * deployment disp:devnet recorded for that network) and the account (`--from`). The in-process
 * network starts empty at every command, so these tasks refuse it with the way out.
 */
export async function openSession(hre: HardhatRuntimeEnvironment, args: SessionArgs): Promise<Session> {
  const connection = await hre.network.create();
  const { networkName } = connection;
  if (connection.networkConfig.type === "edr-simulated") {
    throw new TaskInputError(
      `the in-process network "${networkName}" forgets everything after each command: run \`pnpm hardhat node\`, then \`pnpm hardhat disp:devnet --network localhost\`, and pass --network localhost`,
    );
  }
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  const recorded = await readDeployment(hre.config.paths.root, networkName);
  const address = args.registry ?? recorded?.registry;
  if (address === undefined || !isAddress(address)) {
    throw new TaskInputError(
      `no registry for network "${networkName}": pass --registry <address> or run disp:devnet`,
    );
  }
  if (args.registry === undefined && recorded !== undefined && recorded.chainId !== chainId.toString()) {
    throw new TaskInputError(
      `.disp/${networkName}.json was written for chain ${recorded.chainId}, but "${networkName}" is chain ${chainId} now (restarted node?): run disp:devnet again`,
    );
  }
  const challenges = args.challenges === undefined ? undefined : addressOption(args.challenges, "challenges");
  const account = await signerOf(connection, args.from ?? "0", "from");
  const registry = connectRegistry(address, account);
  await checkRegistry(registry);
  const deployment: Deployment =
    recorded?.registry.toLowerCase() === address.toLowerCase()
      ? recorded
      : { chainId: chainId.toString(), registry: address, fromBlock: 0 };
  return {
    connection,
    networkName,
    account,
    registry,
    deployment,
    fromBlock: deployment.fromBlock,
    challenges: challenges ?? deployment.challenges,
    encryptionKeys: encryptionKeysOf(account),
  };
}

/** The session's storage-challenge contract, required. */
export function requiredChallenges(session: Session): string {
  if (session.challenges === undefined) {
    throw new TaskInputError(
      "missing --challenges (no storage-challenge contract is recorded for this network by disp:devnet)",
    );
  }
  return session.challenges;
}

/**
 * The community a task acts on: --community when given (`option` is its parsed value, -1 unset),
 * else the one disp:devnet recorded for the network; `undefined` when neither.
 */
export function communityOf(session: Session, option: bigint): bigint | undefined {
  const recorded = session.deployment.communityId;
  return given(option) ?? (recorded === undefined ? undefined : BigInt(recorded));
}

/** communityOf, required. */
export function requiredCommunity(session: Session, option: bigint): bigint {
  const communityId = communityOf(session, option);
  if (communityId === undefined)
    throw new TaskInputError("missing --community (none is recorded for this network by disp:devnet)");
  return communityId;
}

/** The network's account that --from (or another option, named `option`) names: by index or address. */
export async function signerOf(
  connection: NetworkConnection,
  value: string,
  option: string,
): Promise<HardhatEthersSigner> {
  return signerFor(connection, accountOption(value, option), option);
}

/**
 * The address an option such as --account names: one of the network's accounts by index, or any
 * address (a grantee need not be an account of this network).
 */
export async function addressOf(
  connection: NetworkConnection,
  value: string,
  option: string,
): Promise<string> {
  const account = accountOption(value, option);
  return "index" in account ? (await signerFor(connection, account, option)).address : account.address;
}

async function signerFor(
  connection: NetworkConnection,
  account: AccountOption,
  option: string,
): Promise<HardhatEthersSigner> {
  const signers = await connection.ethers.getSigners();
  if ("index" in account) {
    const signer = signers[account.index];
    if (signer === undefined)
      throw new TaskInputError(`--${option} ${account.index}: the network has ${signers.length} accounts`);
    return signer;
  }
  const address = account.address.toLowerCase();
  const signer = signers.find((candidate) => candidate.address.toLowerCase() === address);
  if (signer === undefined)
    throw new TaskInputError(`${account.address} is not one of the network's accounts`);
  return signer;
}

/** The user's IPFS node: Kubo at a URL, or an embedded node in a directory. */
export async function openIpfs(spec: string | undefined, fallbackDirectory: string): Promise<IpfsNode> {
  if (spec !== undefined && /^https?:\/\//.test(spec)) return createKuboNode({ url: spec });
  return createEmbeddedNode({ directory: spec ?? fallbackDirectory });
}

export function defaultIpfsDirectory(hre: HardhatRuntimeEnvironment, session: Session, name: string): string {
  return join(hre.config.paths.root, ".disp", session.networkName, name);
}

/**
 * Runs `work` with a client on the user's IPFS node (`--ipfs`) and a progress bar, and stops both
 * afterwards, whatever happens.
 */
export async function withClient<T>(
  hre: HardhatRuntimeEnvironment,
  session: Session,
  ipfsSpec: string | undefined,
  work: (context: ClientContext, onProgress: OnClientProgress) => Promise<T>,
): Promise<T> {
  const ipfs = await openIpfs(ipfsSpec, defaultIpfsDirectory(hre, session, "ipfs"));
  const bar = progressBar();
  try {
    const { registry, fromBlock, encryptionKeys } = session;
    return await work({ registry, ipfs, fromBlock, encryptionKeys }, bar.onProgress);
  } finally {
    bar.stop();
    await ipfs.stop();
  }
}
