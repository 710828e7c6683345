import type { EncryptionKeyPair } from "@disp/crypto";
import type { AddressPolicy, IpfsNode } from "@disp/ipfs";

import type { OnClientProgress } from "./progress.js";
import type { Registry } from "./registry/index.js";

/**
 * What every client operation works with, passed the same way to each. The registry carries the
 * account (its signer); the optional fields are defaults that an operation's own options override.
 */
export interface ClientContext {
  /** The registry, connected with the user's signer (reads also work with a provider only). */
  readonly registry: Registry;
  /** The user's own IPFS node (embedded or Kubo). */
  readonly ipfs: IpfsNode;
  /** The registry's deployment block: where log scans start (default 0). */
  readonly fromBlock?: number;
  /**
   * Which published addresses may be dialled (see `AddressPolicy` in `@disp/ipfs`). Default:
   * loopback and private ranges only on a local development chain (chain id 31337 or 1337).
   */
  readonly addressPolicy?: AddressPolicy;
  /** Longest wait for one network step (a manifest, a fragment, storage confirmations). */
  readonly timeoutMs?: number;
  readonly onProgress?: OnClientProgress;
  readonly signal?: AbortSignal;
  /**
   * The signer's X25519 key pair, which opens the content keys wrapped for it (derived once from
   * its wallet's signature and cached: see `encryptionKeysOf`). Needed to read private images.
   */
  readonly encryptionKeys?: () => Promise<EncryptionKeyPair>;
}

/** The part of the context the chain-only operations (communities, access, history) need. */
export type ChainContext = Pick<ClientContext, "registry" | "fromBlock" | "addressPolicy" | "encryptionKeys">;

/** The account behind the registry's signer, or undefined for a read-only client. */
export function accountOf(context: Pick<ClientContext, "registry">): Promise<string | undefined> {
  return context.registry.account();
}

/** An operation's settings: its own options first, then the context's defaults. */
export function settingsOf(
  context: ClientContext,
  options: {
    readonly timeoutMs?: number;
    readonly onProgress?: OnClientProgress;
    readonly signal?: AbortSignal;
  },
  defaultTimeoutMs: number,
): { timeoutMs: number; onProgress?: OnClientProgress; signal?: AbortSignal } {
  return {
    timeoutMs: options.timeoutMs ?? context.timeoutMs ?? defaultTimeoutMs,
    onProgress: options.onProgress ?? context.onProgress,
    signal: options.signal ?? context.signal,
  };
}
