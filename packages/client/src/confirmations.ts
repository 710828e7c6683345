import { setTimeout as delay } from "node:timers/promises";

import { ClientError } from "./errors.js";
import type { OnClientProgress } from "./progress.js";
import type { Registry } from "./registry/index.js";
import { imageIdHex } from "./image-id.js";

export interface AwaitStorageOptions {
  readonly fromBlock: number;
  /** Give up after this long, naming the slots that did not confirm. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
}

/**
 * Waits until every slot's node has confirmed on chain (`StorageConfirmed`) that it holds its part
 * of the version. `nodes[slot]` is the node expected in that slot; a receipt from another account
 * for the slot (a member since replaced) does not count.
 */
export async function awaitStorage(
  registry: Registry,
  imageId: bigint,
  version: bigint,
  nodes: readonly string[],
  options: AwaitStorageOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 250;
  const expected = nodes.map((node) => node.toLowerCase());
  const confirmed = new Set<number>();
  for (;;) {
    for (const receipt of await registry.storageReceipts(imageId, version)) {
      if (expected[receipt.slot] === receipt.node.toLowerCase()) confirmed.add(receipt.slot);
    }
    options.onProgress?.({ phase: "confirm", done: confirmed.size, total: nodes.length });
    if (confirmed.size === nodes.length) return;
    const missing = expected.map((_, slot) => slot).filter((slot) => !confirmed.has(slot));
    if (Date.now() >= deadline || options.signal?.aborted === true) {
      throw new ClientError(
        "CLIENT_STORAGE_TIMEOUT",
        `image ${imageIdHex(imageId)} version ${version} is registered, but after ${Math.round(options.timeoutMs / 1000)} s ` +
          `slot${missing.length > 1 ? "s" : ""} ${missing.map((slot) => `${slot} (${nodes[slot]})`).join(", ")} ` +
          `had not confirmed storage: are those nodes' agents running and reachable?`,
      );
    }
    // An abort ends the wait at once; the next pass reports it.
    await delay(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
