import type { PinTask } from "./agent-state.js";

/**
 * How the agent runs. Its context is the node operator's: the registry connected with the node's
 * signer (it opts in and signs receipts), the node's IPFS node (where fragments are fetched and
 * pinned), and the deployment block, where a fresh agent starts reading events.
 */
export interface NodeAgentOptions {
  /** Where the agent keeps its progress, so that a restart catches up instead of starting over. */
  readonly stateFile: string;
  /** Pause between passes over new blocks (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Longest wait for a manifest or fragment from the network (default: the context's, else 30 s). */
  readonly fetchTimeoutMs?: number;
  readonly onEvent?: (event: AgentEvent) => void;
  /** Tasks worked on at once (default 4). */
  readonly concurrency?: number;
  /**
   * Attempts of a task before it is quarantined (default 5), with a back-off doubling from 2 s up
   * to 60 s between them. A permanent failure or a crash (an unexpected error) quarantines at once.
   */
  readonly maxAttempts?: number;
  /** Longest one attempt of a task may take, and one `sync()` pass may work (default 120 s). */
  readonly passBudgetMs?: number;
  /**
   * Bytes this node pins for one registrant, the image owner (default 1 GiB): a task that would
   * take its registrant past it is quarantined (CLIENT_QUOTA_EXCEEDED).
   */
  readonly quotaBytes?: number;
  /** Largest part this node fetches, whatever its codec allows (default 256 MiB). */
  readonly maxShardBytes?: number;
  /**
   * The storage-challenge contract: when given, every pass also answers this node's open
   * challenges from its own block store (agent-proofs.ts).
   */
  readonly challenges?: string;
}

export const AGENT_DEFAULTS = {
  concurrency: 4,
  maxAttempts: 5,
  passBudgetMs: 120_000,
  quotaBytes: 1024 * 1024 * 1024,
  maxShardBytes: 256 * 1024 * 1024,
} as const;

export type AgentEvent =
  | { readonly type: "opted-in" | "info-updated"; readonly node: string; readonly peerId: string }
  | { readonly type: "stored"; readonly task: PinTask; readonly cid: string }
  /** The shard was rebuilt from parity (nobody served it), then stored as "stored" says next. */
  | { readonly type: "repaired"; readonly task: PinTask; readonly cid: string }
  | { readonly type: "failed"; readonly task: PinTask; readonly reason: string; readonly willRetry: boolean }
  | { readonly type: "quarantined"; readonly task: PinTask; readonly reason: string; readonly code?: string }
  | { readonly type: "synced"; readonly block: number; readonly pending: number }
  /** `count` challenges of `epoch` answered in one transaction. */
  | { readonly type: "proved"; readonly epoch: bigint; readonly count: number }
  /** A challenge of this node's slot it cannot answer (its shard is gone or unreadable). */
  | {
      readonly type: "unprovable";
      readonly epoch: bigint;
      readonly imageId: bigint;
      readonly version: bigint;
      readonly slot: number;
      readonly reason: string;
    }
  | { readonly type: "error"; readonly reason: string };

export interface SyncReport {
  readonly block: number;
  readonly stored: number;
  readonly pending: number;
}

export interface NodeAgent {
  /** The node operator's account. */
  readonly address: string;
  /** Opts the node in on chain if needed, keeping its peer id and addresses current. */
  join(): Promise<void>;
  /**
   * One pass: turns new events into tasks, then fetches, verifies, pins and confirms them, several
   * at once and fairly per registrant, until none is ready or the pass budget is spent.
   */
  sync(): Promise<SyncReport>;
  /** Joins, then syncs every `pollIntervalMs` until stopped. */
  start(): Promise<void>;
  /** Ends the loop (waits for the pass under way). The IPFS node is the caller's to stop. */
  stop(): Promise<void>;
}
