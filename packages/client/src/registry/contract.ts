import { ZeroAddress, type ContractRunner, type ContractTransactionResponse } from "ethers";

import { ClientError } from "../errors.js";
import { imageIdOf } from "../image-id.js";
import {
  DispRegistry__factory,
  EncryptionKeyRegistry__factory,
  IImageRegistry__factory,
} from "../typechain/index.js";
import { CommunityCalls } from "./contract-communities.js";
import { publishKeysCalls, requireKeysFor, wrappedKeyAt } from "./keys.js";
import type { Registry } from "./registry.js";
import * as logs from "./logs.js";
import type {
  AddVersionArgs,
  ImageEvent,
  ImageInfo,
  Registered,
  StorageReceipt,
  Transacted,
  VersionEvent,
  WrappedKey,
} from "./types.js";

export { TRANSACTION_TIMEOUT_MS } from "./calls.js";

export interface RegistryOptions {
  /** The most blocks one `eth_getLogs` may span (default DEFAULT_MAX_LOG_RANGE): the provider's cap. */
  readonly maxLogRange?: number;
}

/** The registry at `address`, for reads (a provider) or reads and writes (a signer). */
export function connectRegistry(
  address: string,
  runner: ContractRunner,
  options: RegistryOptions = {},
): Registry {
  const maxLogRange = options.maxLogRange ?? logs.DEFAULT_MAX_LOG_RANGE;
  if (!Number.isSafeInteger(maxLogRange) || maxLogRange < 1) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `maxLogRange must be a whole number of blocks >= 1, got ${maxLogRange}`,
    );
  }
  return new ContractRegistry(address, DispRegistry__factory.connect(address, runner), maxLogRange);
}

/**
 * Fails with CLIENT_NO_REGISTRY unless a DISP registry answers at the registry's address: the usual
 * cause is a wrong network or a stale address, and it is better said once than as a decode error.
 */
export function checkRegistry(registry: Pick<Registry, "check">): Promise<void> {
  return registry.check();
}

/**
 * The Registry on the DispRegistry contract: images, versions, grants, keys and receipts here;
 * nodes and communities in CommunityCalls; the contract, the chain and the revert decoding in
 * ContractCalls.
 */
class ContractRegistry extends CommunityCalls implements Registry {
  #keyRegistry: Promise<string> | undefined;

  async check(): Promise<void> {
    const provider = this.contract.runner?.provider;
    if (provider == null)
      throw new ClientError("CLIENT_NO_REGISTRY", "the registry has no provider to read from");
    const { chainId } = await provider.getNetwork();
    const noRegistry = new ClientError(
      "CLIENT_NO_REGISTRY",
      `no DISP registry at ${this.address} on chain ${chainId}: check the network and the address`,
    );
    if ((await provider.getCode(this.address)) === "0x") throw noRegistry;
    const supported = await this.contract.supportsInterface(registryInterfaceId()).catch(() => false);
    if (!supported) throw noRegistry;
  }

  async imageInfo(imageId: bigint): Promise<ImageInfo> {
    const info = await this.read(() => this.contract.imageInfo(imageId));
    return {
      imageId,
      owner: info.owner,
      communityId: info.communityId,
      fragmentCount: Number(info.fragmentCount),
      versionCount: info.versionCount,
      isPublic: info.isPublic,
      versionBlock: Number(info.versionBlock),
    };
  }

  imageIdOf(registrant: string, root: string): Promise<bigint> {
    return this.read(() => this.contract.imageIdOf(registrant, root));
  }

  versionRoot(imageId: bigint, version: bigint): Promise<string> {
    return this.read(() => this.contract.versionRoot(imageId, version));
  }

  versionEvent(imageId: bigint, version: bigint, block: number): Promise<VersionEvent | undefined> {
    return logs.versionEvent(this.contract, this.reader, imageId, version, block);
  }

  async replicas(imageId: bigint): Promise<string[]> {
    return [...(await this.read(() => this.contract.replicas(imageId)))];
  }

  async maxReplicas(): Promise<number> {
    return Number(await this.read(() => this.contract.MAX_REPLICAS()));
  }

  canRead(imageId: bigint, account: string): Promise<boolean> {
    return this.read(() => this.contract.canRead(imageId, account));
  }

  isEditor(imageId: bigint, account: string): Promise<boolean> {
    return this.read(() => this.contract.isEditor(imageId, account));
  }

  async editors(imageId: bigint): Promise<string[]> {
    return [...(await this.read(() => this.contract.editors(imageId)))];
  }

  async readers(imageId: bigint): Promise<string[]> {
    return [...(await this.read(() => this.contract.readers(imageId)))];
  }

  encryptionKeyRegistry(): Promise<string> {
    this.#keyRegistry ??= this.read(() => this.contract.encryptionKeyRegistry());
    return this.#keyRegistry;
  }

  async encryptionKeyOf(account: string): Promise<string> {
    const keys = EncryptionKeyRegistry__factory.connect(await this.encryptionKeyRegistry(), this.provider());
    return this.read(() => keys.keyOf(account));
  }

  async keyBlock(imageId: bigint, version: bigint, account: string): Promise<number> {
    return Number(await this.read(() => this.contract.keyBlock(imageId, version, account)));
  }

  wrappedKey(imageId: bigint, version: bigint, account: string): Promise<Uint8Array | undefined> {
    return wrappedKeyAt(this.contract, this.reader, imageId, version, account);
  }

  verifyFragment(
    imageId: bigint,
    version: bigint,
    fragment: number,
    digest: string,
    proof: readonly string[],
  ): Promise<boolean> {
    return this.read(() => this.contract.verifyFragment(imageId, version, fragment, digest, [...proof]));
  }

  async storageReceipts(imageId: bigint, version: bigint): Promise<StorageReceipt[]> {
    const receipts = await this.read(() => this.contract.storageReceipts(imageId, version));
    // A plain array first: flatMap on an ethers Result builds another Result, which drops the values.
    const counted: StorageReceipt[] = [];
    for (const [slot, receipt] of [...receipts].entries()) {
      if (receipt.current) counted.push({ node: receipt.node, slot });
    }
    return counted;
  }

  imageEvents(imageId: bigint, fromBlock: number, toBlock: number): Promise<ImageEvent[]> {
    return logs.imageEvents(this.contract, this.reader, this.maxLogRange, imageId, fromBlock, toBlock);
  }

  registerImage(
    communityId: bigint,
    fragmentCount: number,
    root: string,
    manifestCid: string,
    keys: readonly WrappedKey[] = [],
  ): Promise<Registered> {
    return this.#register("ImageRegistered", async () => {
      if (keys.length === 0)
        return this.contract.registerImage(communityId, fragmentCount, root, manifestCid);
      const call = this.contract.interface.encodeFunctionData("registerImage", [
        communityId,
        fragmentCount,
        root,
        manifestCid,
      ]);
      return this.#multicall([call], await this.#newImageId(root), keys, 1n);
    });
  }

  registerReplicatedImage(
    nodes: readonly string[],
    root: string,
    manifestCid: string,
    keys: readonly WrappedKey[] = [],
  ): Promise<Registered> {
    return this.#register("ImageRegistered", async () => {
      if (keys.length === 0) return this.contract.registerReplicatedImage([...nodes], root, manifestCid);
      const call = this.contract.interface.encodeFunctionData("registerReplicatedImage", [
        [...nodes],
        root,
        manifestCid,
      ]);
      return this.#multicall([call], await this.#newImageId(root), keys, 1n);
    });
  }

  addVersion(
    imageId: bigint,
    root: string,
    manifestCid: string,
    keys: readonly WrappedKey[] = [],
  ): Promise<Registered> {
    return this.#register("VersionAdded", async () => {
      if (keys.length === 0) return this.contract.addVersion(imageId, root, manifestCid);
      const call = this.contract.interface.encodeFunctionData("addVersion", [imageId, root, manifestCid]);
      return this.#multicall([call], imageId, keys, await this.#nextVersion(imageId));
    });
  }

  rotate(
    imageId: bigint,
    revoked: readonly string[],
    version: AddVersionArgs,
    keys: readonly WrappedKey[],
  ): Promise<Registered> {
    return this.#register("VersionAdded", async () => {
      const calls = [
        ...revoked.map((account) =>
          this.contract.interface.encodeFunctionData("revokeRead", [imageId, account]),
        ),
        this.contract.interface.encodeFunctionData("addVersion", [
          imageId,
          version.root,
          version.manifestCid,
        ]),
      ];
      return this.#multicall(calls, imageId, keys, await this.#nextVersion(imageId));
    });
  }

  grantRead(imageId: bigint, account: string, keys: readonly WrappedKey[] = []): Promise<Transacted> {
    return this.#grant("grantRead", imageId, account, keys);
  }

  revokeRead(imageId: bigint, account: string): Promise<Transacted> {
    return this.transact(() => this.contract.revokeRead(imageId, account));
  }

  grantEditor(imageId: bigint, account: string, keys: readonly WrappedKey[] = []): Promise<Transacted> {
    return this.#grant("grantEditor", imageId, account, keys);
  }

  revokeEditor(imageId: bigint, account: string): Promise<Transacted> {
    return this.transact(() => this.contract.revokeEditor(imageId, account));
  }

  transferImageOwnership(
    imageId: bigint,
    newOwner: string,
    keys: readonly WrappedKey[] = [],
  ): Promise<Transacted> {
    return this.transact(() => {
      if (keys.length === 0) return this.contract.transferImageOwnership(imageId, newOwner);
      const call = this.contract.interface.encodeFunctionData("transferImageOwnership", [imageId, newOwner]);
      return this.#multicall([call], imageId, keys);
    });
  }

  acceptImageOwnership(imageId: bigint): Promise<Transacted> {
    return this.transact(() => this.contract.acceptImageOwnership(imageId));
  }

  async pendingImageOwner(imageId: bigint): Promise<string | undefined> {
    const pending = await this.read(() => this.contract.pendingImageOwner(imageId));
    return pending === ZeroAddress ? undefined : pending;
  }

  replaceReplica(imageId: bigint, index: number, node: string): Promise<Transacted> {
    return this.transact(() => this.contract.replaceReplica(imageId, index, node));
  }

  setPublic(imageId: bigint, isPublic: boolean): Promise<Transacted> {
    return this.transact(() => this.contract.setPublic(imageId, isPublic));
  }

  publishKeys(imageId: bigint, keys: readonly WrappedKey[]): Promise<Transacted> {
    return this.transact(() => this.#multicall([], imageId, keys));
  }

  confirmStorage(imageId: bigint, version: bigint): Promise<Transacted> {
    return this.transact(() => this.contract.confirmStorage(imageId, version));
  }

  /**
   * `calls`, then `publishKeys` for `keys`, in one multicall transaction. `version` is the version
   * the calls create, which every key must be for. The keys are checked before anything is sent.
   */
  #multicall(
    calls: readonly string[],
    imageId: bigint,
    keys: readonly WrappedKey[],
    version?: bigint,
  ): Promise<ContractTransactionResponse> {
    if (version !== undefined) requireKeysFor(keys, version, imageId);
    return this.contract.multicall([...calls, ...publishKeysCalls(this.contract.interface, imageId, keys)]);
  }

  /** A grant, alone or with `keys` in one multicall. */
  #grant(
    name: "grantRead" | "grantEditor",
    imageId: bigint,
    account: string,
    keys: readonly WrappedKey[],
  ): Promise<Transacted> {
    return this.transact(() => {
      if (keys.length === 0) return this.contract[name](imageId, account);
      const iface = this.contract.interface;
      const call =
        name === "grantRead"
          ? iface.encodeFunctionData("grantRead", [imageId, account])
          : iface.encodeFunctionData("grantEditor", [imageId, account]);
      return this.#multicall([call], imageId, keys);
    });
  }

  /** The id the signer's registration with version 1's `root` gets (computed, no call). */
  async #newImageId(root: string): Promise<bigint> {
    const account = await this.account();
    if (account === undefined)
      throw new ClientError("CLIENT_INVALID_INPUT", "a read-only registry cannot register");
    return imageIdOf(account, root);
  }

  /** The version an `addVersion` sent now creates, unless another lands first. */
  async #nextVersion(imageId: bigint): Promise<bigint> {
    return (await this.imageInfo(imageId)).versionCount + 1n;
  }

  async #register(
    name: "ImageRegistered" | "VersionAdded",
    send: () => Promise<ContractTransactionResponse>,
  ): Promise<Registered> {
    const { transacted, event } = await this.transactWithEvent(name, send);
    const imageId = BigInt(event.getValue("imageId") as bigint);
    const version = name === "ImageRegistered" ? 1n : BigInt(event.getValue("version") as bigint);
    return { ...transacted, imageId, version };
  }
}

/** ERC-165 id of the registry's image side (what a client relies on): XOR of its selectors. */
function registryInterfaceId(): string {
  let id = 0n;
  IImageRegistry__factory.createInterface().forEachFunction((fragment) => {
    id ^= BigInt(fragment.selector);
  });
  return `0x${id.toString(16).padStart(8, "0")}`;
}
