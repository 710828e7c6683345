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

import { createParityCodec } from "@disp/core";
import { pseudoRandomBytes } from "@disp/devkit/random";

const { values } = parseArgs({
  options: {
    k: { type: "string", default: "4" },
    m: { type: "string", default: "2" },
    "shard-mib": { type: "string", default: "2" },
    rounds: { type: "string", default: "9" },
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

const samples: Record<"memcpy" | "encode" | "decode", Sample[]> = { memcpy: [], encode: [], decode: [] };
for (let round = 0; round < rounds; round++) {
  samples.memcpy.push(time(() => copy.set(whole)));
  samples.encode.push(time(() => codec.encode(data, m)));
  samples.decode.push(time(() => codec.reconstruct(params, degraded)));
}

const mib = whole.length / 2 ** 20;
const mbps = (ms: number): number => Math.round((mib / ms) * 1000);
const wall = (name: keyof typeof samples): number => mbps(median(samples[name].map((s) => s.wallMs)));
const cpu = (name: keyof typeof samples): number => mbps(median(samples[name].map((s) => s.cpuMs)));
const ratio = (value: number, reference: number): number => Math.round((value / reference) * 1000) / 1000;
const [memcpyMBps, encodeMBps, decodeMBps] = [wall("memcpy"), wall("encode"), wall("decode")];
const [memcpyCpuMBps, encodeCpuMBps, decodeCpuMBps] = [cpu("memcpy"), cpu("encode"), cpu("decode")];
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
  loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
};
console.log(`encode ${encodeMBps} MB/s, decode (${m} lost) ${decodeMBps} MB/s, memcpy ${memcpyMBps} MB/s`);
console.log(JSON.stringify(report));
