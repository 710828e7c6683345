import { setTimeout as sleep } from "node:timers/promises";

import type { GetBlock } from "./node.js";

/** Pause between giving up on a stalled request and asking again, so the cancel goes out first. */
const RETRY_PAUSE_MS = 100;

/**
 * Re-requests blocks when a read stops making progress.
 *
 * Seen with Helia's bitswap 4 between two processes: a 64 MiB read stalled, the peer connected and
 * holding every block, until the read's deadline. The provider marks blocks as sent before their
 * message is delivered; when the stream carrying it is aborted (here: the receiver's yamux read
 * buffer overflowed while it was busy, see STREAM_READ_BUFFER in embedded.ts) they are never sent
 * again for as long as the want stands. Cancelling the wants and wanting the blocks again makes the
 * provider send them. So when no block has arrived for `stallMs`, every pending request is aborted
 * and, after a short pause (the cancels leave first), asked again. The caller's signal still bounds
 * the whole read.
 */
export function retryStalled(getBlock: GetBlock, stallMs: number): { getBlock: GetBlock; close(): void } {
  let round = new AbortController();
  let lastProgress = performance.now();
  let pending = 0;
  const watchdog = setInterval(
    () => {
      if (pending === 0 || performance.now() - lastProgress < stallMs) return;
      const stalled = round;
      round = new AbortController();
      lastProgress = performance.now();
      stalled.abort(new Error(`no block arrived for ${stallMs} ms`));
    },
    Math.max(10, stallMs / 4),
  );
  watchdog.unref();

  const guarded: GetBlock = async (cid, signal) => {
    pending++;
    try {
      for (;;) {
        const current = round;
        try {
          const bytes = await getBlock(cid, AbortSignal.any([signal, current.signal]));
          lastProgress = performance.now();
          return bytes;
        } catch (error) {
          if (signal.aborted || !current.signal.aborted) throw error;
          await sleep(RETRY_PAUSE_MS, undefined, { signal }).catch(() => undefined);
          signal.throwIfAborted();
        }
      }
    } finally {
      pending--;
    }
  };
  return { getBlock: guarded, close: () => clearInterval(watchdog) };
}
