import all from "it-all";
import { concat } from "uint8arrays/concat";

/**
 * One buffer from the chunks a block store streams. A block comes as one chunk, which is returned
 * as it is: `concat` alone would copy every block read.
 */
export async function concatChunks(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  const parts = await all(chunks);
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : concat(parts);
}
