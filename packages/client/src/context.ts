import type { IpfsNode } from "@disp/ipfs";

import { signerOf, type DispRegistry } from "./registry.js";

/** What every client operation works with. */
export interface ClientContext {
  /** The registry, connected with the user's signer (reads also work with a provider only). */
  readonly registry: DispRegistry;
  /** The user's own IPFS node (embedded or Kubo). */
  readonly ipfs: IpfsNode;
  /** The registry's deployment block: where log scans start (default 0). */
  readonly fromBlock?: number;
}

/** The account behind the registry's runner, or undefined for a read-only client. */
export function accountOf(context: ClientContext): Promise<string | undefined> {
  return signerOf(context.registry);
}
