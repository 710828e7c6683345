import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { tamperWithStoredBlock } from "@disp/devkit";

/** A fresh directory under the OS temp dir; remove it with `removeDir`. */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `disp-${label}-`));
}

export async function removeDir(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/**
 * Tampers with the copies of `block` in the block store at `directory` (see tamperWithStoredBlock)
 * for good: the store is thrown away with its test's directory. Returns how many copies it changed.
 */
export async function corruptStoredBlock(directory: string, block: Uint8Array): Promise<number> {
  return (await tamperWithStoredBlock(directory, block)).copies;
}
