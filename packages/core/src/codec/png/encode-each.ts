import type { OnProgress } from "../../progress.js";

/** Encodes every fragment concurrently (deflate runs on zlib's thread pool), reporting each one done. */
export function encodeEach<T>(
  fragments: readonly T[],
  encode: (fragment: T) => Promise<Uint8Array>,
  onProgress: OnProgress | undefined,
  signal: AbortSignal | undefined,
): Promise<Uint8Array[]> {
  let encoded = 0;
  const total = fragments.length;
  onProgress?.({ phase: "encode", done: 0, total });
  return Promise.all(
    fragments.map(async (fragment) => {
      signal?.throwIfAborted();
      const file = await encode(fragment);
      onProgress?.({ phase: "encode", done: ++encoded, total });
      return file;
    }),
  );
}
