/**
 * `pnpm bench:ipfs`: throughput of the embedded IPFS node against SHA-256 of the same bytes, measured
 * in the same run. For 1, 16 and 64 MiB of random bytes:
 * - add: `node.add(bytes)` with the default settings (256 KiB chunks, pinned, as the client adds);
 * - cat: `node.cat(cid)` on the same node (every block read back from disk and re-hashed);
 * - bitswap: a second embedded node in ANOTHER PROCESS adds fresh random bytes of the same size,
 *   and this process's node, connected to it over loopback TCP, reads them (`cat`: fetched over
 *   bitswap, verified, stored);
 * - sha256: `createHash("sha256")` over the bytes, on one core.
 * Also printed (not in the JSON line): the same bytes written as 256 KiB files with no hashing, the
 * floor for a store that keeps a file per block (the node's store appends to one file instead), the
 * speed of writing 64 MiB of fresh memory against writing it again (on our VMs memory the process
 * has not touched yet costs about 13 µs a page, so every fresh buffer and page-cache page counts),
 * and the load average around the run.
 * `pnpm bench:ipfs` runs with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (as `pnpm demo` and
 * `pnpm bench:flow` do): glibc then asks for transparent huge pages for the memory it maps, which is
 * what makes fresh memory cheap on these VMs (the provider process inherits the setting). The bench
 * prints the setting it ran with; run `pnpm hardhat run scripts/bench-ipfs.ts` to measure without.
 * Each repetition uses fresh nodes in fresh directories, deleted afterwards (see `withFreshNode`).
 * Each figure is the median of a few repetitions (the machine may be shared), in MB/s of 10^6 bytes.
 * The last stdout line is the JSON result.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { DEFAULT_UNIXFS } from "@disp/core";
import { CID, createEmbeddedNode, type IpfsNode } from "@disp/ipfs";

const MiB = 1024 * 1024;
const RUNS: readonly { readonly MiB: number; readonly repetitions: number }[] = [
  { MiB: 1, repetitions: 7 },
  { MiB: 16, repetitions: 5 },
  { MiB: 64, repetitions: 3 },
];

interface Result {
  MiB: number;
  addMBps: number;
  catMBps: number;
  bitswapMBps: number;
  sha256MBps: number;
}

/** A provider process (started through Hardhat, which loads TypeScript for it). */
async function startProvider(directory: string) {
  const child = spawn(process.execPath, [process.argv[1] ?? "", "run", "scripts/bench-ipfs-provider.ts"], {
    env: { ...process.env, DISP_BENCH_PROVIDER_DIR: directory },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, string>> => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done === true) throw new Error("the provider process exited");
      if (value.startsWith("{")) return JSON.parse(value) as Record<string, string>;
    }
  };
  await next(); // {"ready": true}
  return {
    /** A fresh provider node adds `bytes` random bytes; returns their CID and the node's address. */
    async add(bytes: number): Promise<{ cid: CID; address: string }> {
      child.stdin.write(`${JSON.stringify({ bytes })}\n`);
      const { cid, address } = await next();
      if (cid === undefined || address === undefined) throw new Error("the provider gave no CID or address");
      return { cid: CID.parse(cid), address };
    },
    async stop(): Promise<void> {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      await exited;
    },
  };
}

async function seconds(work: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

const round = (value: number): number => Math.round(value * 10) / 10;

/**
 * A floor for any store that keeps one file per block: the same bytes written as 256 KiB files
 * (temporary file + rename, 32 at once) next to the node's blocks, with no hashing at all.
 */
async function writeAsChunkFiles(bytes: Uint8Array, scratch: string): Promise<void> {
  const chunks: Uint8Array[] = [];
  const offsetOf = (chunk: Uint8Array): number => chunk.byteOffset - bytes.byteOffset;
  for (let offset = 0; offset < bytes.length; offset += DEFAULT_UNIXFS.chunkSize) {
    chunks.push(bytes.subarray(offset, offset + DEFAULT_UNIXFS.chunkSize));
  }
  for (let i = 0; i < chunks.length; i += 32) {
    await Promise.all(
      chunks.slice(i, i + 32).map(async (chunk) => {
        const file = join(scratch, `${offsetOf(chunk)}`);
        await writeFile(`${file}.tmp`, chunk);
        await rename(`${file}.tmp`, file);
      }),
    );
  }
}

/** MB/s of writing 64 MiB of memory the first time (fresh pages), and of writing it again. */
function memoryWriteRates(): { freshMBps: number; againMBps: number } {
  const memory = new Uint8Array(64 * MiB);
  const fresh = performance.now();
  memory.fill(1);
  const again = performance.now();
  memory.fill(2);
  const end = performance.now();
  const rate = (ms: number): number => Math.round(memory.length / 1e3 / ms);
  return { freshMBps: rate(again - fresh), againMBps: rate(end - again) };
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

// The nodes' directories go under DISP_BENCH_DIR (default: the OS temp dir), on the disk measured.
const directory = await mkdtemp(join(process.env["DISP_BENCH_DIR"] ?? tmpdir(), "disp-bench-ipfs-"));
const provider = await startProvider(join(directory, "provider"));
const results: Result[] = [];
let rounds = 0;

/**
 * Runs `work` on a fresh node, then deletes the node's directory. Every repetition starts from an
 * empty store, so the writes of one are not still being flushed to disk (and throttled) in the next.
 */
async function withFreshNode(work: (node: IpfsNode) => Promise<void>): Promise<void> {
  const nodeDirectory = join(directory, `node-${rounds++}`);
  const node = await createEmbeddedNode({ directory: nodeDirectory });
  try {
    await work(node);
  } finally {
    await node.stop();
    await rm(nodeDirectory, { recursive: true, force: true });
  }
}

console.log(
  `load average before: ${load()} (${cpus().length} cores; other work on the machine skews every figure)`,
);
console.log(`GLIBC_TUNABLES: ${process.env["GLIBC_TUNABLES"] ?? "(not set)"}`);
console.log(`memory write speed, 64 MiB: ${JSON.stringify(memoryWriteRates())}`);
try {
  // Warm up the code paths (JIT) before timing anything.
  await withFreshNode(async (node) => {
    await node.cat(await node.add(randomBytes(MiB)));
    const remote = await provider.add(MiB);
    await node.connect(remote.address);
    await node.cat(remote.cid, { timeoutMs: 60_000 });
  });

  for (const run of RUNS) {
    const size = run.MiB * MiB;
    const times = {
      add: [] as number[],
      cat: [] as number[],
      bitswap: [] as number[],
      sha256: [] as number[],
      chunkFiles: [] as number[],
    };
    for (let i = 0; i < run.repetitions; i++) {
      const bytes = randomBytes(size);
      times.sha256.push(await seconds(() => createHash("sha256").update(bytes).digest()));
      const scratch = join(directory, `scratch-${rounds++}`);
      await mkdir(scratch);
      times.chunkFiles.push(await seconds(() => writeAsChunkFiles(bytes, scratch)));
      await rm(scratch, { recursive: true, force: true });

      await withFreshNode(async (node) => {
        let cid: CID | undefined;
        times.add.push(await seconds(async () => (cid = await node.add(bytes))));
        if (cid === undefined) throw new Error("add returned no CID");
        const root = cid;
        times.cat.push(await seconds(() => node.cat(root)));
        const remote = await provider.add(size);
        await node.connect(remote.address);
        times.bitswap.push(await seconds(() => node.cat(remote.cid, { timeoutMs: 300_000 })));
      });
    }
    const rate = (list: number[]): number => round(size / 1e6 / median(list));
    const result: Result = {
      MiB: run.MiB,
      addMBps: rate(times.add),
      catMBps: rate(times.cat),
      bitswapMBps: rate(times.bitswap),
      sha256MBps: rate(times.sha256),
    };
    results.push(result);
    const floor = { writeAsChunkFilesMBps: rate(times.chunkFiles) };
    console.log(`${run.MiB} MiB, median of ${run.repetitions}: ${JSON.stringify({ ...result, ...floor })}`);
  }
} finally {
  console.log(`load average after: ${load()}`);
  await provider.stop();
  await rm(directory, { recursive: true, force: true });
}
// The agreed shape, spaced as written in the issue: {"results": [{"MiB": 1, "addMBps": X, ...}, ...]}.
console.log(JSON.stringify({ results }).replace(/":/g, '": ').replace(/,"/g, ', "').replace(/},{/g, "}, {"));
