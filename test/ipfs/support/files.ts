import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under the OS temp dir; remove it with `removeDir`. */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `disp-${label}-`));
}

export async function removeDir(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/**
 * Flips one byte in every file under `directory` whose content is exactly `block`: what a failing
 * disk or a tampering operator does to a node's block store. Returns how many files it changed.
 */
export async function corruptStoredBlock(directory: string, block: Uint8Array): Promise<number> {
  let changed = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if ((await stat(file)).size !== block.length) continue;
    const content = await readFile(file);
    if (Buffer.compare(content, block) !== 0) continue;
    const middle = content.length >> 1;
    content[middle] = (content[middle] ?? 0) ^ 0xff;
    await writeFile(file, content);
    changed++;
  }
  return changed;
}
