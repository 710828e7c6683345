import type { ContractTransactionResponse, Interface } from "ethers";

import { ClientError } from "../errors.js";
import { clientErrorOf } from "./reverts.js";
import type { Transacted } from "./types.js";

/** How long a sent transaction may take to be mined before the client gives up waiting. */
export const TRANSACTION_TIMEOUT_MS = 300_000;

/** Runs a contract read; a revert becomes a ClientError decoded with `iface`. */
export async function readDecoded<T>(iface: Interface, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw clientErrorOf(iface, error);
  }
}

/** Sends a transaction and waits for it; a revert becomes a ClientError naming what went wrong. */
export async function mined(iface: Interface, send: () => Promise<ContractTransactionResponse>) {
  try {
    const response = await send();
    const receipt = await response.wait(1, TRANSACTION_TIMEOUT_MS);
    if (receipt === null)
      throw new ClientError("CLIENT_REVERTED", `transaction ${response.hash} was dropped`);
    const transacted: Transacted = {
      transactionHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      emitted: receipt.logs.length > 0,
    };
    return { receipt, transacted };
  } catch (error) {
    throw clientErrorOf(iface, error);
  }
}
