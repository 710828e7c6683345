/** The named steps of the codec's long operations. */
export type ProgressPhase = "decode" | "split" | "encode" | "cid" | "verify" | "merge";

/** One step of progress: `done` of `total` units (fragments, or 1 for a single-shot phase). */
export interface ProgressEvent {
  readonly phase: ProgressPhase;
  readonly done: number;
  readonly total: number;
}

export type OnProgress = (event: ProgressEvent) => void;
