import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Flips one byte of every stored copy of `block` in the files under `directory`: what a failing disk
 * or a tampering operator does to a node's block store (an embedded node keeps its blocks in
 * `<directory>/blocks`, appended to one pack file). For tests and the demo, which show that such a
 * copy is never used. Returns how many copies it changed.
 */
export async function tamperWithStoredBlock(directory: string, block: Uint8Array): Promise<number> {
  if (block.length === 0) return 0;
  let changed = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if ((await stat(file)).size < block.length) continue;
    const content = await readFile(file);
    let copies = 0;
    for (let at = content.indexOf(block); at !== -1; at = content.indexOf(block, at + block.length)) {
      const middle = at + (block.length >> 1);
      content[middle] = (content[middle] ?? 0) ^ 0xff;
      copies++;
    }
    if (copies === 0) continue;
    await writeFile(file, content);
    changed += copies;
  }
  return changed;
}

/** `bytes` with its middle byte flipped: the tampered copy tamperWithStoredBlock writes. */
export function tampered(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const middle = copy.length >> 1;
  copy[middle] = (copy[middle] ?? 0) ^ 0xff;
  return copy;
}
