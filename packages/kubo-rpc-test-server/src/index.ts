/**
 * TEST ONLY. A real Kubo-RPC server for the tests of `@disp/ipfs`'s Kubo node: the js-ipfs 0.66.1
 * daemon, which speaks Kubo's HTTP RPC API (add, block, pin, id, swarm...). Kubo itself cannot be
 * installed on our machines (its npm package downloads the binary at install time).
 *
 * The daemon runs in a child process on the running Node, with a fresh repository, its API and swarm
 * on 127.0.0.1 (ports chosen by the OS), no bootstrap peers, no mDNS, no gateway, no gRPC. Its API
 * is reached through a proxy that adds Kubo's `key/sign`, which js-ipfs lacks (`key-sign.ts`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { loadIdentityKey, startKeySignProxy } from "./key-sign.js";

export interface KuboRpcTestServer {
  /** The RPC API's base URL, e.g. `http://127.0.0.1:41234` (the proxy adding `key/sign`). */
  readonly url: string;
  /** The daemon's repository (its blocks are under `blocks/`). */
  readonly repository: string;
  /** Stops the daemon and waits for its process to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface KuboRpcTestServerOptions {
  /** The daemon's repository goes here (must be empty or absent). */
  readonly directory: string;
  /** Give up starting after this long (default 60 s: a cold start on a loaded CI machine is slow). */
  readonly startTimeoutMs?: number;
}

const API_LINE = /HTTP API listening on \/ip4\/127\.0\.0\.1\/tcp\/(\d+)\/http/;
const READY_LINE = /Daemon is ready/;

/** Initialises a repository and starts the daemon; resolves once its API answers. */
export async function startKuboRpcTestServer(options: KuboRpcTestServerOptions): Promise<KuboRpcTestServer> {
  const repo = join(options.directory, "repo");
  await mkdir(options.directory, { recursive: true });
  // NO_UPDATE_NOTIFIER: the js-ipfs CLI would otherwise ask the npm registry for a newer version.
  const env = { ...process.env, IPFS_PATH: repo, NO_UPDATE_NOTIFIER: "1" };
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  const init = await run(["init", "--profile", "test", "--empty-repo"], env, startTimeoutMs);
  if (init.code !== 0) throw new Error(`jsipfs init failed (${init.code}): ${init.output}`);
  await loopbackOnly(join(repo, "config"));

  const daemon = spawn(process.execPath, [cliPath(), "daemon"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const killOnExit = (): void => {
    daemon.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  let proxy: { port: number; close: () => Promise<void> } | undefined;
  const stop = once(async () => {
    process.removeListener("exit", killOnExit);
    await proxy?.close();
    await terminate(daemon);
  });

  try {
    const port = await waitForReady(daemon, startTimeoutMs);
    proxy = await startKeySignProxy(port, await loadIdentityKey(join(repo, "config")));
    return { url: `http://127.0.0.1:${proxy.port}`, repository: repo, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The js-ipfs CLI entry point, found through the `ipfs` package this package depends on. */
function cliPath(): string {
  return join(dirname(fileURLToPath(import.meta.resolve("ipfs"))), "cli.js");
}

/** Rewrites the `test` profile's config so the daemon binds and dials nothing but loopback. */
async function loopbackOnly(configFile: string): Promise<void> {
  const config = JSON.parse(await readFile(configFile, "utf8")) as Record<string, unknown>;
  config["Addresses"] = {
    Swarm: ["/ip4/127.0.0.1/tcp/0"],
    API: "/ip4/127.0.0.1/tcp/0",
    Gateway: [],
    Announce: [],
    NoAnnounce: [],
    Delegates: [],
  };
  config["Bootstrap"] = [];
  config["Discovery"] = { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } };
  await writeFile(configFile, JSON.stringify(config, null, 2));
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function waitForReady(daemon: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    let port: number | undefined;
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`js-ipfs daemon ${why}:\n${output}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      port ??= Number(API_LINE.exec(output)?.[1] ?? Number.NaN) || undefined;
      if (port !== undefined && READY_LINE.test(output)) {
        clearTimeout(timer);
        daemon.stdout?.removeListener("data", onData);
        resolve(port);
      }
    };
    daemon.stdout?.on("data", onData);
    daemon.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    daemon.once("exit", (code) => fail(`exited with ${code}`));
  });
}

/** SIGTERM, then SIGKILL if the daemon has not exited after a grace period. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const grace = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(grace);
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
