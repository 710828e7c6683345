import { SingleBar } from "cli-progress";

import type { OnProgress, ProgressEvent, ProgressPhase } from "@disp/core";

const LABELS: Record<ProgressPhase, string> = {
  decode: "decoding",
  split: "splitting",
  encode: "encoding fragments",
  cid: "computing CIDs",
  verify: "verifying and decoding fragments",
  merge: "merging",
};

/**
 * Draws the core's progress events as one bar on stderr (only on a terminal: piped output stays
 * clean). Call `stop()` when the work ends, successfully or not.
 */
export function progressBar(): { onProgress: OnProgress; stop: () => void } {
  const bar = new SingleBar({
    format: "{phase} [{bar}] {value}/{total}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let phase: ProgressPhase | undefined;
  const onProgress = (event: ProgressEvent) => {
    if (event.phase !== phase) {
      if (phase === undefined) bar.start(event.total, event.done, { phase: LABELS[event.phase] });
      else bar.setTotal(event.total);
      phase = event.phase;
    }
    bar.update(event.done, { phase: LABELS[event.phase] });
  };
  return { onProgress, stop: () => bar.stop() };
}
