import { open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The copies of one block that tamperWithStoredBlock changed, and how to change them back. */
export interface TamperedBlock {
  /** How many stored copies were changed (0 when the store holds none). */
  readonly copies: number;
  /** Flips every changed byte back; calling it again does nothing. */
  restore(): Promise<void>;
}

/** Where an embedded node opened on `directory` keeps its block store. */
export function embeddedBlockStore(directory: string): string {
  return join(directory, "blocks");
}

/**
 * Flips the middle byte of every stored copy of `block` in the block store at `blockStore` (an
 * embedded node's is `embeddedBlockStore(directory)`, its blocks appended to pack files): what a
 * failing disk or a tampering operator does. For tests and the demo, which show that such a copy is
 * never used. Call `restore()` (in a `finally`) so the next reader finds the store as it was.
 *
 * Only the block store is read: a node directory also holds files other processes write and rename
 * (the agent's `agent.json.<pid>.tmp`), which may vanish between listing and reading. Each changed
 * byte is written in place, never the whole file, so blocks the node appends meanwhile are kept.
 */
export async function tamperWithStoredBlock(blockStore: string, block: Uint8Array): Promise<TamperedBlock> {
  const changes: { file: string; at: number; byte: number }[] = [];
  if (block.length > 0) {
    for (const file of await storeFiles(blockStore)) {
      const content = await readIfPresent(file);
      if (content === undefined || content.length < block.length) continue;
      for (let at = content.indexOf(block); at !== -1; at = content.indexOf(block, at + block.length)) {
        const middle = at + (block.length >> 1);
        changes.push({ file, at: middle, byte: content[middle] ?? 0 });
      }
    }
  }
  await writeBytes(changes.map(({ file, at, byte }) => ({ file, at, byte: byte ^ 0xff })));
  let restored = false;
  const restore = async (): Promise<void> => {
    if (restored) return;
    restored = true;
    await writeBytes(changes);
  };
  return { copies: changes.length, restore };
}

/** `bytes` with its middle byte flipped: the tampered copy tamperWithStoredBlock writes. */
export function tampered(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const middle = copy.length >> 1;
  copy[middle] = (copy[middle] ?? 0) ^ 0xff;
  return copy;
}

async function storeFiles(blockStore: string): Promise<string[]> {
  const entries = await readdir(blockStore, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** A store may drop a file between listing and reading it (a blockstore-fs rename): skip it. */
async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function writeBytes(changes: readonly { file: string; at: number; byte: number }[]): Promise<void> {
  for (const { file, at, byte } of changes) {
    const handle = await open(file, "r+");
    try {
      await handle.write(Uint8Array.of(byte), 0, 1, at);
    } finally {
      await handle.close();
    }
  }
}
