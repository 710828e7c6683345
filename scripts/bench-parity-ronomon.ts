/**
 * @ronomon/reed-solomon (native C through node-gyp), the comparison bench:parity measures beside
 * core's codec. Never a dependency of the project: the script installs it into a cache directory
 * under the system's temp dir and builds its addon from source with node-gyp against the Node that
 * runs the bench (its own headers, so nothing is downloaded but the npm packages).
 */
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const VERSION = "6.0.0";
const HOME = join(tmpdir(), `disp-bench-ronomon-${VERSION}-node${process.versions.node}`);
const PACKAGE = join(HOME, "node_modules", "@ronomon", "reed-solomon");
const BUILT = join(PACKAGE, "build", "Release", "binding.node");

type Callback = (error?: Error) => void;

/** The addon's API (its README): shards in one buffer, sources and targets as bit flags. */
interface Ronomon {
  readonly MAX_K: number;
  readonly MAX_M: number;
  create(k: number, m: number): object;
  encode(
    context: object,
    sources: number,
    targets: number,
    buffer: Uint8Array,
    bufferOffset: number,
    bufferSize: number,
    parity: Uint8Array,
    parityOffset: number,
    paritySize: number,
    callback: Callback,
  ): void;
}

function isRonomon(value: unknown): value is Ronomon {
  return (
    typeof value === "object" &&
    value !== null &&
    "create" in value &&
    typeof value.create === "function" &&
    "encode" in value &&
    typeof value.encode === "function"
  );
}

/** The addon built from source here, and how long the build took (0 when it was cached). */
export function loadRonomon(): { addon: Ronomon; buildMs: number } {
  let buildMs = 0;
  if (!existsSync(BUILT)) {
    const start = performance.now();
    mkdirSync(HOME, { recursive: true });
    writeFileSync(join(HOME, "package.json"), '{ "private": true }\n');
    const quiet: ExecFileSyncOptions = { cwd: HOME, stdio: ["ignore", "ignore", "inherit"] };
    // Its install script would build it too, but npm 11 skips unapproved scripts: build explicitly.
    execFileSync(
      "npm",
      ["install", "--ignore-scripts", "--no-audit", "--no-fund", `@ronomon/reed-solomon@${VERSION}`],
      quiet,
    );
    const nodeDir = dirname(dirname(process.execPath)); // holds include/node of this very Node
    execFileSync("npx", ["--yes", "node-gyp@11", "rebuild", `--nodedir=${nodeDir}`], {
      ...quiet,
      cwd: PACKAGE,
    });
    buildMs = Math.round(performance.now() - start);
  }
  const addon: unknown = createRequire(join(HOME, "package.json"))(BUILT);
  if (!isRonomon(addon)) throw new Error(`${BUILT} is not the @ronomon/reed-solomon addon`);
  return { addon, buildMs };
}

/** k data shards of `shardBytes` each and m parity shards, in the addon's two buffers. */
export interface RonomonCodec {
  /** Computes the parity shards over the data shards. */
  encode(): Promise<void>;
  /** Rebuilds the data shards listed in `lost` from the others. */
  decode(lost: readonly number[]): Promise<void>;
}

export function ronomonCodec(
  addon: Ronomon,
  data: readonly Uint8Array[],
  m: number,
): { codec: RonomonCodec; buffer: Uint8Array; parity: Uint8Array } {
  const k = data.length;
  const shardBytes = data[0]?.length ?? 0;
  if (k > addon.MAX_K || m > addon.MAX_M || shardBytes % 8 !== 0) {
    throw new Error(`ronomon takes k <= ${addon.MAX_K}, m <= ${addon.MAX_M}, shards in multiples of 8 bytes`);
  }
  const context = addon.create(k, m);
  const buffer = new Uint8Array(k * shardBytes);
  data.forEach((shard, i) => buffer.set(shard, i * shardBytes));
  const parity = new Uint8Array(m * shardBytes);
  const run = (sources: number, targets: number) =>
    new Promise<void>((resolve, reject) =>
      addon.encode(context, sources, targets, buffer, 0, buffer.length, parity, 0, parity.length, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  const all = (2 ** (k + m) - 1) >>> 0;
  const dataBits = (2 ** k - 1) >>> 0;
  const codec: RonomonCodec = {
    encode: () => run(dataBits, (all & ~dataBits) >>> 0),
    decode: (lost) => {
      const targets = lost.reduce((bits, i) => (bits | (1 << i)) >>> 0, 0);
      return run((all & ~targets) >>> 0, targets);
    },
  };
  return { codec, buffer, parity };
}
