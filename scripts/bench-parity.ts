/**
 * `pnpm bench:parity [--k 4] [--m 2] [--shard-mib 2] [--rounds 9]`: Reed–Solomon parity through
 * @disp/core's codec on k pseudo-random shards: encode (m parity shards) and decode (the k data
 * shards back with the first m data shards lost, the costliest case), each against a memcpy of the
 * same k shards' bytes in the same run. Rounds interleave the three so that load on a shared
 * machine hits them alike; each figure is the median round. The last stdout line is one JSON
 * object; MB here is 2^20 bytes, ratios are throughput over memcpy's (goal >= 0.1), by wall time
 * and by this process's CPU time (`*Cpu*`), which a busy machine distorts less.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";

import { addParity, createParityCodec, encodeImageFile } from "@disp/core";
import { makeJpegPhoto } from "@disp/devkit/jpeg-photo";
import { pseudoRandomBytes } from "@disp/devkit/random";

import { loadRonomon, ronomonCodec, type RonomonCodec } from "./bench-parity-ronomon.js";

const { values } = parseArgs({
  options: {
    k: { type: "string", default: "4" },
    m: { type: "string", default: "2" },
    "shard-mib": { type: "string", default: "2" },
    rounds: { type: "string", default: "9" },
    "skip-ronomon": { type: "boolean", default: false },
  },
});
const k = Number(values.k);
const m = Number(values.m);
const shardBytes = Math.round(Number(values["shard-mib"]) * 2 ** 20);
const rounds = Number(values.rounds);
const REPEATS = 4; // calls per timed round, so a round is well above timer resolution

interface Sample {
  wallMs: number;
  /** CPU time of this process: on a machine shared with other work, wall time also counts waiting. */
  cpuMs: number;
}

function time(action: () => void): Sample {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < REPEATS; i++) action();
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: (performance.now() - start) / REPEATS, cpuMs: (cpu.user + cpu.system) / 1000 / REPEATS };
}

async function timeAsync(action: () => Promise<void>): Promise<Sample> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < REPEATS; i++) await action();
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: (performance.now() - start) / REPEATS, cpuMs: (cpu.user + cpu.system) / 1000 / REPEATS };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const codec = await createParityCodec();
const data = Array.from({ length: k }, (_, i) => pseudoRandomBytes(shardBytes, i + 1));
const whole = new Uint8Array(k * shardBytes);
data.forEach((shard, i) => whole.set(shard, i * shardBytes));
const copy = new Uint8Array(whole.length);
const { params, parity } = codec.encode(data, m);
const degraded = [...data.map((shard, i) => (i < m ? undefined : shard)), ...parity];

// One untimed pass of each, so compilation and first-touch page faults stay out of the figures.
copy.set(whole);
codec.reconstruct(params, degraded);

/** The native comparison, or why it is not there (it needs a C toolchain and node-gyp). */
async function ronomonSetup(): Promise<
  { codec: RonomonCodec; buildMs: number; sameParity: boolean } | string
> {
  if (values["skip-ronomon"]) return "skipped (--skip-ronomon)";
  try {
    const { addon, buildMs } = loadRonomon();
    const native = ronomonCodec(addon, data, m);
    await native.codec.encode();
    const ours = new Uint8Array(m * shardBytes);
    parity.forEach((shard, p) => ours.set(shard, p * shardBytes));
    const sameParity = Buffer.compare(Buffer.from(native.parity), Buffer.from(ours)) === 0;
    // Its decode must give the data back, or its figures would mean nothing.
    const lost = Array.from({ length: m }, (_, i) => i);
    for (const i of lost) native.buffer.fill(0, i * shardBytes, (i + 1) * shardBytes);
    await native.codec.decode(lost);
    if (Buffer.compare(Buffer.from(native.buffer), Buffer.from(whole)) !== 0)
      return "its decode did not give the data back";
    return { codec: native.codec, buildMs, sameParity };
  } catch (error) {
    return `not available: ${(error as Error).message.split("\n")[0] ?? ""}`;
  }
}
const native = await ronomonSetup();
const lostData = Array.from({ length: m }, (_, i) => i);

type Measured = "memcpy" | "encode" | "decode" | "ronomonEncode" | "ronomonDecode";
const samples: Record<Measured, Sample[]> = {
  memcpy: [],
  encode: [],
  decode: [],
  ronomonEncode: [],
  ronomonDecode: [],
};
for (let round = 0; round < rounds; round++) {
  samples.memcpy.push(time(() => copy.set(whole)));
  samples.encode.push(time(() => codec.encode(data, m)));
  samples.decode.push(time(() => codec.reconstruct(params, degraded)));
  if (typeof native !== "string") {
    samples.ronomonEncode.push(await timeAsync(() => native.codec.encode()));
    samples.ronomonDecode.push(await timeAsync(() => native.codec.decode(lostData)));
  }
}

const mib = whole.length / 2 ** 20;
const mbps = (ms: number): number => Math.round((mib / ms) * 1000);
const wall = (name: keyof typeof samples): number => mbps(median(samples[name].map((s) => s.wallMs)));
const cpu = (name: keyof typeof samples): number => mbps(median(samples[name].map((s) => s.cpuMs)));
const ratio = (value: number, reference: number): number => Math.round((value / reference) * 1000) / 1000;
const [memcpyMBps, encodeMBps, decodeMBps] = [wall("memcpy"), wall("encode"), wall("decode")];
const [memcpyCpuMBps, encodeCpuMBps, decodeCpuMBps] = [cpu("memcpy"), cpu("encode"), cpu("decode")];
const ronomon =
  typeof native === "string"
    ? { available: false, reason: native }
    : {
        available: true,
        version: "6.0.0",
        builtFromSourceMs: native.buildMs, // 0: the build cached by an earlier run was used
        sameParityAsCore: native.sameParity,
        encodeMBps: wall("ronomonEncode"),
        decodeMBps: wall("ronomonDecode"),
        encodeVsMemcpy: ratio(wall("ronomonEncode"), memcpyMBps),
        decodeVsMemcpy: ratio(wall("ronomonDecode"), memcpyMBps),
        encodeCpuMBps: cpu("ronomonEncode"),
        decodeCpuMBps: cpu("ronomonDecode"),
      };

/** Stored bytes over the file: a 12 MP JPEG as 4+2 on 6 nodes against 6 full replicas. */
async function storage(): Promise<object> {
  const photo = await makeJpegPhoto();
  const encoded = await addParity(await encodeImageFile(photo, { kernel: { height: 2, width: 2 } }), 2);
  const sum = (shards: readonly { bytes: Uint8Array }[]) =>
    shards.reduce((total, s) => total + s.bytes.length, 0);
  const fragmentBytes = sum(encoded.fragments);
  const parityBytes = sum(encoded.parityShards);
  const nodes = encoded.fragments.length + encoded.parityShards.length;
  return {
    fileBytes: photo.length,
    codec: encoded.codec,
    parity: `${encoded.fragments.length}+${encoded.parityShards.length}`,
    fragmentBytes,
    parityBytes,
    manifestBytes: encoded.manifestBytes.length,
    storedBytesRatio: ratio(fragmentBytes + parityBytes, photo.length),
    withManifestRatio: ratio(fragmentBytes + parityBytes + encoded.manifestBytes.length, photo.length),
    replicationNodes: nodes,
    replicationRatio: nodes, // each of the nodes pins the whole file
    goalRatio: 1.6,
  };
}

const report = {
  bench: "parity",
  scheme: params.scheme,
  k,
  m,
  shardBytes,
  lostOnDecode: m,
  rounds,
  memcpyMBps,
  encodeMBps,
  decodeMBps,
  encodeVsMemcpy: ratio(encodeMBps, memcpyMBps),
  decodeVsMemcpy: ratio(decodeMBps, memcpyMBps),
  memcpyCpuMBps,
  encodeCpuMBps,
  decodeCpuMBps,
  encodeVsMemcpyCpu: ratio(encodeCpuMBps, memcpyCpuMBps),
  decodeVsMemcpyCpu: ratio(decodeCpuMBps, memcpyCpuMBps),
  goalVsMemcpy: 0.1,
  ronomon,
  storage: await storage(),
  loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
};
console.log(`encode ${encodeMBps} MB/s, decode (${m} lost) ${decodeMBps} MB/s, memcpy ${memcpyMBps} MB/s`);
if (ronomon.available)
  console.log(`ronomon: encode ${ronomon.encodeMBps} MB/s, decode ${ronomon.decodeMBps} MB/s`);
console.log(JSON.stringify(report));
