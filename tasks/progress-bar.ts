import { SingleBar } from "cli-progress";

import type { ClientPhase, ClientProgress, OnClientProgress } from "@disp/client";

const LABELS: Record<ClientPhase, string> = {
  decode: "decoding",
  split: "splitting",
  encode: "encoding fragments",
  cid: "computing CIDs",
  verify: "verifying and decoding fragments",
  merge: "merging",
  add: "adding to IPFS",
  dial: "dialling storage nodes",
  register: "registering on chain",
  confirm: "waiting for storage receipts",
  fetch: "fetching fragments",
  "fetch-parity": "fetching parity shards",
};

/**
 * Draws progress events (the codec's and the client's) as one bar on stderr (only on a terminal: piped output stays
 * clean). Call `stop()` when the work ends, successfully or not.
 */
export function progressBar(): { onProgress: OnClientProgress; stop: () => void } {
  const bar = new SingleBar({
    format: "{phase} [{bar}] {value}/{total}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let phase: ClientPhase | undefined;
  const onProgress = (event: ClientProgress) => {
    if (event.phase !== phase) {
      if (phase === undefined) bar.start(event.total, event.done, { phase: LABELS[event.phase] });
      else bar.setTotal(event.total);
      phase = event.phase;
    }
    bar.update(event.done, { phase: LABELS[event.phase] });
  };
  return {
    onProgress,
    stop: () => {
      bar.stop();
      phase = undefined;
    },
  };
}
