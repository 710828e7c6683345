import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import { expect } from "chai";

// The CLI entry is not exported; find it through the package's own manifest (its "bin").
const hardhatPackage = createRequire(import.meta.url).resolve("hardhat/package.json");
export const hardhatCli = join(dirname(hardhatPackage), "dist/src/cli.js");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user at a terminal: without the variables by which Hardhat recognises a CI
 * service (it then prints a stack trace under each of its own errors).
 */
const CI_MARKERS = new Set([
  "CI",
  "CONTINUOUS_INTEGRATION",
  "BUILD_NUMBER",
  "RUN_ID",
  "GITHUB_ACTIONS",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
]);
const userEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !CI_MARKERS.has(name)));

/** Runs `hardhat <args>` as a user would, at a terminal in the project root. */
export function hardhat(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatCli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: userEnv(),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string);
}

/** A failed run prints exactly one line on stderr, naming the error code. */
export function expectOneLineError(run: Run, code: string): string {
  expect(run.code, run.stderr).to.equal(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^Error ${code}: `));
  return lines[0] ?? "";
}

/** What `hardhat node` prints once it serves, with its URL. */
export const CHAIN_STARTED = /Started HTTP and WebSocket JSON-RPC server at (http:\/\/127\.0\.0\.1:\d+)\//;

export interface Started {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/** Starts `hardhat <args>` and resolves once its output matches `ready`. */
export function startUntil(args: string[], ready: RegExp): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatCli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve({ child, output: () => output });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("close", (code) =>
      reject(new Error(`hardhat ${args.join(" ")} exited with ${code}: ${output}`)),
    );
  });
}

/** A `hardhat node` on a port the system picks, which the tasks reach as the `local` network. */
export interface LocalChain {
  readonly url: string;
  readonly started: Started;
  /** Stops the chain and gives DISP_LOCAL_RPC_URL back its earlier value. */
  stop(): Promise<void>;
}

/**
 * Starts a chain on 127.0.0.1 (never 8545, which the user's own chain may hold) and points
 * DISP_LOCAL_RPC_URL at it, which every hardhat process started from here inherits.
 */
export async function startLocalChain(): Promise<LocalChain> {
  const urlBefore = process.env.DISP_LOCAL_RPC_URL;
  const started = await startUntil(["node", "--port", "0", "--hostname", "127.0.0.1"], CHAIN_STARTED);
  const url = CHAIN_STARTED.exec(started.output())?.[1];
  if (url === undefined) throw new Error(`no URL in the chain's output: ${started.output()}`);
  process.env.DISP_LOCAL_RPC_URL = url;
  return {
    url,
    started,
    stop: async () => {
      await stopProcesses([started.child]);
      if (urlBefore === undefined) delete process.env.DISP_LOCAL_RPC_URL;
      else process.env.DISP_LOCAL_RPC_URL = urlBefore;
    },
  };
}

/** Interrupts each process still running (Ctrl-C) and waits for it to end. */
export async function stopProcesses(children: ReadonlyArray<ChildProcess | undefined>): Promise<void> {
  for (const child of children) {
    if (child !== undefined && child.exitCode === null) {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("close", resolve));
    }
  }
}
