import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { IpfsError } from "./errors.js";

/** The lock file a block store keeps in its directory while open. */
export const LOCK_FILE = "LOCK";

/**
 * Takes the directory's lock: a `LOCK` file created exclusively, holding this process's id. Returns
 * the function that releases it. Another process (or another store in this one) holding it fails
 * the call with `IPFS_IN_USE`; a lock left by a process that is gone (a crash) is taken over.
 */
export async function lockDirectory(directory: string): Promise<() => Promise<void>> {
  const file = join(directory, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: "wx" });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if (!isErrno(error, "EEXIST")) throw error;
    }
    const holder = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
    if (attempt > 0 || !(Number.isInteger(holder) && holder > 0) || isRunning(holder)) {
      const who = Number.isInteger(holder) && holder > 0 ? `process ${holder}` : "another process";
      throw new IpfsError(
        "IPFS_IN_USE",
        `${directory} is in use by ${who}: one IPFS node per directory (if no node runs, delete ${file})`,
      );
    }
    await rm(file, { force: true }); // left by a process that is gone
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, "EPERM"); // it exists, under another user
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
