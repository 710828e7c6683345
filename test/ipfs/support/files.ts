import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { tamperWithStoredBlock } from "@disp/ipfs";

/** A fresh directory under the OS temp dir; remove it with `removeDir`. */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `disp-${label}-`));
}

export async function removeDir(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/** Tampers with a node's stored copy of `block` (see tamperWithStoredBlock). */
export const corruptStoredBlock = tamperWithStoredBlock;
