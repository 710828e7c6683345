import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";

import { DispError, isDispError } from "@disp/protocol";
import { hugePagesAdvice } from "@disp/ipfs";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { errorResult } from "hardhat/utils/result";

/** A user mistake at the command line (missing option, unreadable file, bad value). */
export class TaskInputError extends DispError {
  constructor(message: string, options?: ErrorOptions) {
    super("TASK_INPUT", message, options);
  }
}

/**
 * Wraps a task action so that a user mistake (any DispError) ends as one clear line on stderr and
 * a failed Hardhat Result, which makes the CLI exit with code 1 and print nothing more. Anything
 * else is a bug and propagates, so Hardhat shows it with its stack trace.
 */
export function cliAction<ArgsT>(
  action: (args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<void>,
): (
  args: ArgsT,
  hre: HardhatRuntimeEnvironment,
) => Promise<ReturnType<typeof errorResult<DispError>> | undefined> {
  return async (args, hre) => {
    try {
      await action(args, hre);
      return undefined;
    } catch (error) {
      if (!isDispError(error)) throw error;
      console.error(`Error ${error.code}: ${error.message}`);
      return errorResult(error);
    }
  };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOTDIR") return "a parent is not a directory";
  return error instanceof Error ? error.message : String(error);
}

/** Reads a file the user named; failures become one clear line. */
export async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new TaskInputError(`cannot read ${path}: ${describeFsError(error)}`, { cause: error });
  }
}

/** Reads a file that may be absent (undefined), failing on any other error. */
export async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new TaskInputError(`cannot read ${path}: ${describeFsError(error)}`, { cause: error });
  }
}

/**
 * Writes files so that none is ever seen half-written: each goes to a temporary name beside it and
 * is renamed into place; if any write fails, every file of the batch already in place is removed.
 */
export async function writeOutputs(files: ReadonlyArray<{ path: string; bytes: Uint8Array }>): Promise<void> {
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const done: string[] = [];
  try {
    for (const { path, bytes } of files) {
      const temp = path + suffix;
      try {
        await writeFile(temp, bytes, { flag: "wx" });
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      done.push(path);
    }
  } catch (error) {
    await Promise.all(done.map((path) => rm(path, { force: true })));
    throw new TaskInputError(`cannot write output: ${describeFsError(error)}`, { cause: error });
  }
}

/**
 * Prints `readyLine` and resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed before
 * the line is printed: a supervisor that signals as soon as it reads the line must never meet the
 * default handler, which would kill the process before it stops its nodes.
 */
export function untilInterrupted(readyLine: string): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  console.log(readyLine);
  return stopped;
}

/** For a process that serves IPFS nodes: prints the huge-pages tip on stderr when it applies. */
export function adviseHugePages(): void {
  const advice = hugePagesAdvice();
  if (advice !== undefined) console.error(advice);
}
