import { isAddress } from "ethers";

import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";

/**
 * Repairs a replicated image: replica `index` goes to `node`, another opted-in storage node, whose
 * agent then fetches and confirms every version (the owner's call).
 */
export async function replaceReplica(
  context: ChainContext,
  imageId: bigint,
  index: number,
  node: string,
): Promise<void> {
  if (!isAddress(node))
    throw new ClientError("CLIENT_INVALID_INPUT", `replica node ${node} is not an address`);
  await context.registry.replaceReplica(imageId, index, node);
}
