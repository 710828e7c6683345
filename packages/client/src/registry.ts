import type {
  ContractRunner,
  ContractTransactionReceipt,
  ContractTransactionResponse,
  Interface,
  LogDescription,
} from "ethers";

import { ClientError, type ClientErrorCode } from "./errors.js";
import { imageIdHex } from "./image-id.js";
import { DispRegistry__factory, IImageRegistry__factory, type DispRegistry } from "./typechain/index.js";

export type { DispRegistry };

/** The typed registry at `address`, for reads (a provider) or writes (a signer). */
export function connectRegistry(address: string, runner: ContractRunner): DispRegistry {
  return DispRegistry__factory.connect(address, runner);
}

/**
 * Fails with CLIENT_NO_REGISTRY unless a DISP registry answers at the registry's address: the usual
 * cause is a wrong network or a stale address, and it is better said once than as a decode error.
 */
export async function checkRegistry(registry: DispRegistry): Promise<void> {
  const address = await registry.getAddress();
  const provider = registry.runner?.provider;
  if (provider == null)
    throw new ClientError("CLIENT_NO_REGISTRY", "the registry has no provider to read from");
  const { chainId } = await provider.getNetwork();
  const noRegistry = new ClientError(
    "CLIENT_NO_REGISTRY",
    `no DISP registry at ${address} on chain ${chainId}: check the network and the address`,
  );
  if ((await provider.getCode(address)) === "0x") throw noRegistry;
  const interfaceId = registryInterfaceId();
  const supported = await registry.supportsInterface(interfaceId).catch(() => false);
  if (!supported) throw noRegistry;
}

/** ERC-165 id of the registry's image side (what a client relies on): XOR of its selectors. */
function registryInterfaceId(): string {
  let id = 0n;
  IImageRegistry__factory.createInterface().forEachFunction((fragment) => {
    id ^= BigInt(fragment.selector);
  });
  return `0x${id.toString(16).padStart(8, "0")}`;
}

/** How long a sent transaction may take to be mined before the client gives up waiting. */
export const TRANSACTION_TIMEOUT_MS = 300_000;

/** Sends a transaction and waits for it; a revert becomes a ClientError naming what went wrong. */
export async function transact(
  registry: DispRegistry,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  try {
    const response = await send();
    const receipt = await response.wait(1, TRANSACTION_TIMEOUT_MS);
    if (receipt === null)
      throw new ClientError("CLIENT_REVERTED", `transaction ${response.hash} was dropped`);
    return receipt;
  } catch (error) {
    throw clientErrorOf(registry.interface, error);
  }
}

/** The first event named `name` the registry emitted in `receipt` (a ClientError if there is none). */
export function findEvent(
  registry: DispRegistry,
  receipt: ContractTransactionReceipt,
  name: string,
): LogDescription {
  for (const log of receipt.logs) {
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === name) return parsed;
  }
  throw new ClientError("CLIENT_REVERTED", `the transaction ${receipt.hash} emitted no ${name} event`);
}

/** The account of the registry's signer, or undefined when it is connected to a provider only. */
export async function signerOf(registry: DispRegistry): Promise<string | undefined> {
  const runner = registry.runner;
  if (runner != null && "getAddress" in runner && typeof runner.getAddress === "function") {
    return String(await runner.getAddress());
  }
  return undefined;
}

/** Runs a registry read; a revert becomes a ClientError. */
export async function read<T>(registry: DispRegistry, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw clientErrorOf(registry.interface, error);
  }
}

/** The ClientError for a registry revert, or `error` itself when it is not one. */
export function clientErrorOf(iface: Interface, error: unknown): unknown {
  if (error instanceof ClientError) return error;
  const revert = decodeRevert(iface, error);
  if (revert === undefined) return error;
  const [code, message] = describeRevert(revert.name, revert.args);
  return new ClientError(code, message, { cause: error });
}

interface Revert {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** Finds revert data anywhere in an ethers / Hardhat error and decodes it with the registry's ABI. */
export function decodeRevert(iface: Interface, error: unknown): Revert | undefined {
  for (const data of revertDataCandidates(error, 0)) {
    try {
      const parsed = iface.parseError(data);
      if (parsed !== null) return { name: parsed.name, args: [...parsed.args] };
    } catch {
      // Not this candidate; keep looking.
    }
  }
  return undefined;
}

function* revertDataCandidates(value: unknown, depth: number): Generator<string> {
  if (depth > 4 || value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  for (const key of ["data", "revertData"]) {
    const data = record[key];
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) yield data;
  }
  for (const key of ["error", "info", "cause", "data"]) {
    if (typeof record[key] === "object") yield* revertDataCandidates(record[key], depth + 1);
  }
}

function describeRevert(name: string, args: readonly unknown[]): [ClientErrorCode, string] {
  const [a, b, c] = args.map(String);
  const image = () => imageIdHex(BigInt(args[0] as bigint));
  switch (name) {
    case "ImageRegistryUnknownImage":
      return ["CLIENT_UNKNOWN_IMAGE", `image ${image()} does not exist`];
    case "ImageRegistryImageExists":
      return ["CLIENT_IMAGE_EXISTS", `this account already stored this image, as image ${image()}`];
    case "ImageRegistryUnknownVersion":
      return ["CLIENT_UNKNOWN_VERSION", `image ${image()} has no version ${b}`];
    case "ImageRegistryUnknownCommunity":
    case "CommunityRegistryUnknownCommunity":
      return ["CLIENT_UNKNOWN_COMMUNITY", `community ${a} does not exist`];
    case "ImageRegistryFragmentCountMismatch":
      return ["CLIENT_INVALID_INPUT", `community ${a} has ${b} members but the image has ${c} fragments`];
    case "ImageRegistryNotOwner":
      return ["CLIENT_NOT_AUTHORIZED", `${b} is not the owner of image ${image()}`];
    case "ImageRegistryNotEditor":
      return ["CLIENT_NOT_AUTHORIZED", `${b} is neither the owner nor an editor of image ${image()}`];
    case "AccessControlUnauthorizedAccount":
      return ["CLIENT_NOT_AUTHORIZED", `${a} lacks the role ${b}`];
    case "StorageReceiptsNotStorageNode":
      return ["CLIENT_NOT_A_NODE", `${b} keeps no part of image ${image()}`];
    case "CommunityRegistryNodeNotOptedIn":
    case "ImageRegistryNodeNotOptedIn":
      return ["CLIENT_NOT_A_NODE", `${a} is not an opted-in storage node`];
    default:
      return ["CLIENT_REVERTED", `the registry refused: ${name}(${args.map(String).join(", ")})`];
  }
}
