import type { ClientProgress, OnClientProgress } from "@disp/client";

/** Milliseconds per phase of one client call, summing to the call's whole duration. */
export type PhaseTimes = Record<string, number>;

/**
 * Splits the time of one client call among its phases from the onProgress timestamps. The time
 * before an event is work of that event's phase, except before the first event of a new phase that
 * reports nothing done yet (`done: 0`, a "starting" marker): that time went to steps with no progress
 * of their own (chain reads, the manifest fetch, checks after the last event), counted as "other".
 */
export function phaseTimer(): {
  readonly onProgress: OnClientProgress;
  /** Call as the client call returns: the times per phase, rounded to whole ms. */
  finish(): PhaseTimes;
} {
  const started = performance.now();
  let last = started;
  let previous: ClientProgress | undefined;
  const times: PhaseTimes = {};
  const charge = (phase: string, now: number) => {
    times[phase] = (times[phase] ?? 0) + (now - last);
    last = now;
  };
  return {
    onProgress(event) {
      const starting = event.done === 0 && event.phase !== previous?.phase;
      charge(starting ? "other" : event.phase, performance.now());
      previous = event;
    },
    finish() {
      charge("other", performance.now());
      return Object.fromEntries(Object.entries(times).map(([phase, ms]) => [phase, Math.round(ms)]));
    },
  };
}
