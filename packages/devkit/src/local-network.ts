import { join } from "node:path";

import { createEmbeddedNode, IpfsError, type EmbeddedNodeOptions, type IpfsNode } from "@disp/ipfs";

export interface LocalNetworkOptions extends Omit<EmbeddedNodeOptions, "directory"> {
  /** Node i keeps its state in `<directory>/node-<i>`, so a network restarted there keeps its peer ids. */
  readonly directory: string;
  /** How many embedded nodes to start (at least 1). */
  readonly size: number;
}

export interface LocalNetwork {
  readonly nodes: readonly IpfsNode[];
  /** Stops every node (idempotent). */
  stop(): Promise<void>;
}

/**
 * Starts `size` embedded nodes, each in its own directory, and connects every pair, so content added
 * on one is fetched by any other over bitswap. Used by the demo, the devnet and the tests.
 */
export async function createLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetwork> {
  const { size, directory, ...nodeOptions } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new IpfsError(
      "IPFS_INVALID_INPUT",
      `a local network needs a whole number of nodes >= 1, got ${size}`,
    );
  }
  const started = await Promise.allSettled(
    Array.from({ length: size }, (_, i) =>
      createEmbeddedNode({ ...nodeOptions, directory: join(directory, `node-${i}`) }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const failure = started.find((result) => result.status === "rejected");
    if (failure !== undefined) throw failure.reason;
    for (const [i, node] of nodes.entries()) {
      const address = (await node.addresses())[0];
      if (address === undefined) throw new IpfsError("IPFS_FAILED", `node ${i} listens on no address`);
      await Promise.all(nodes.slice(i + 1).map((other) => other.connect(address)));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}
