import type { ProgressPhase } from "@disp/core";

/** The steps of the client's long operations: the codec's, then the network's and the chain's. */
export type ClientPhase = ProgressPhase | "add" | "register" | "confirm" | "dial" | "fetch" | "fetch-parity";

/** `done` of `total` units of one phase (fragments, slots, or 1 for a single step). */
export interface ClientProgress {
  readonly phase: ClientPhase;
  readonly done: number;
  readonly total: number;
}

export type OnClientProgress = (event: ClientProgress) => void;
