import type { ContractTransactionResponse } from "ethers";

import { ClientError } from "../errors.js";
import type { DispRegistry } from "../typechain/index.js";
import { mined, readDecoded } from "./calls.js";
import { connectChallenges, type Challenges } from "./challenges.js";
import type { Read } from "./logs.js";
import type { Transacted } from "./types.js";

/**
 * What every part of the contract-backed Registry shares: the DispRegistry contract, the chain it
 * is on, and reads and transactions whose reverts become ClientErrors.
 */
export abstract class ContractCalls {
  readonly address: string;
  readonly maxLogRange: number;
  protected readonly contract: DispRegistry;
  #chainId: Promise<bigint> | undefined;

  /** Runs a read through the revert decoding (handed to the log queries). */
  protected readonly reader: Read = (call) => this.read(call);

  constructor(address: string, contract: DispRegistry, maxLogRange: number) {
    this.address = address;
    this.contract = contract;
    this.maxLogRange = maxLogRange;
  }

  challengesAt(address: string): Challenges {
    return connectChallenges(address, this.contract.runner, this.maxLogRange);
  }

  async account(): Promise<string | undefined> {
    const runner = this.contract.runner;
    if (runner != null && "getAddress" in runner && typeof runner.getAddress === "function") {
      return String(await runner.getAddress());
    }
    return undefined;
  }

  chainId(): Promise<bigint> {
    this.#chainId ??= this.provider()
      .getNetwork()
      .then((network) => network.chainId);
    return this.#chainId;
  }

  blockNumber(): Promise<number> {
    return this.provider().getBlockNumber();
  }

  async blockHash(blockNumber: number): Promise<string | undefined> {
    return (await this.provider().getBlock(blockNumber))?.hash ?? undefined;
  }

  async blockTimestamp(blockNumber: number): Promise<number> {
    return (await this.provider().getBlock(blockNumber))?.timestamp ?? 0;
  }

  protected provider() {
    const provider = this.contract.runner?.provider;
    if (provider == null) throw new TypeError("the registry has no provider");
    return provider;
  }

  /** Runs a read; a revert becomes a ClientError. */
  protected read<T>(call: () => Promise<T>): Promise<T> {
    return readDecoded(this.contract.interface, call);
  }

  /** Sends a transaction and waits for it; a revert becomes a ClientError naming what went wrong. */
  protected async transact(send: () => Promise<ContractTransactionResponse>): Promise<Transacted> {
    return (await this.mined(send)).transacted;
  }

  protected mined(send: () => Promise<ContractTransactionResponse>) {
    return mined(this.contract.interface, send);
  }

  /** A transaction and the first event named `name` it emitted (a ClientError if none). */
  protected async transactWithEvent(name: string, send: () => Promise<ContractTransactionResponse>) {
    const { receipt, transacted } = await this.mined(send);
    for (const log of receipt.logs) {
      const parsed = this.contract.interface.parseLog(log);
      if (parsed?.name === name) return { transacted, event: parsed.args };
    }
    throw new ClientError("CLIENT_REVERTED", `the transaction ${receipt.hash} emitted no ${name} event`);
  }
}
