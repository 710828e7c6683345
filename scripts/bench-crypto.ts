/**
 * `pnpm bench:crypto [--shards 6] [--shard-mib 2] [--rounds 9] [--grantees 200]`: DISP's encryption
 * steps against baselines measured in the same run, rounds interleaved so that load on a shared
 * machine hits them alike; each figure is the median round.
 *
 * - Shard encryption (AES-256-GCM + HKDF per shard, @disp/crypto on node:crypto and on WebCrypto)
 *   and decryption, against a plain copy of the same shards into fresh buffers (what encryption's
 *   output costs at the least) and against memcpy into a kept buffer. Goal: >= 0.5x the copy.
 * - Content-key wrap and unwrap per grantee, on both backends.
 * - The libraries compared for X25519 + HKDF: node:crypto against @noble/curves + @noble/hashes.
 *
 * The last stdout line is one JSON object; MB is 2^20 bytes. Ratios are throughput over the copy's,
 * by wall time and by this process's CPU time (`*Cpu`), which a busy machine distorts less.
 */
import { diffieHellman, generateKeyPairSync, hkdfSync } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";

import { createCrypto, type DispCrypto, type EnvelopeBinding } from "@disp/crypto";
import { pseudoRandomBytes } from "@disp/devkit/random";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

const { values } = parseArgs({
  options: {
    shards: { type: "string", default: "6" },
    "shard-mib": { type: "string", default: "2" },
    rounds: { type: "string", default: "9" },
    grantees: { type: "string", default: "200" },
  },
});
const shardCount = Number(values.shards);
const shardBytes = Math.round(Number(values["shard-mib"]) * 2 ** 20);
const rounds = Number(values.rounds);
const grantees = Number(values.grantees);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Wall milliseconds of `action`; its CPU milliseconds go to `cpu` when given. */
async function timed(action: () => Promise<unknown> | unknown, cpu?: number[]): Promise<number> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await action();
  const used = process.cpuUsage(cpuStart);
  cpu?.push((used.user + used.system) / 1000);
  return performance.now() - start;
}

const node = await createCrypto({ backend: "node:crypto" });
const web = await createCrypto({ backend: "webcrypto" });
const shards = Array.from({ length: shardCount }, (_, i) => pseudoRandomBytes(shardBytes, i + 1));
const kept = shards.map((shard) => new Uint8Array(shard.length));
const contentKey = node.newContentKey();
const sealed = await Promise.all(shards.map((shard, i) => node.encryptShard(contentKey, i, shard)));
for (const [i, shard] of sealed.entries()) {
  const back = await node.decryptShard(contentKey, i, shard);
  if (Buffer.compare(Buffer.from(back), Buffer.from(shards[i] ?? [])) !== 0)
    throw new Error("round trip failed");
}

const encryptAll = (crypto: DispCrypto) => async () => {
  for (const [i, shard] of shards.entries()) await crypto.encryptShard(contentKey, i, shard);
};
const series = {
  copy: [] as number[],
  memcpy: [] as number[],
  node: [] as number[],
  web: [] as number[],
  decrypt: [] as number[],
};
const cpu = { copy: [] as number[], node: [] as number[] };
await encryptAll(node)();
await encryptAll(web)();
for (let round = 0; round < rounds; round++) {
  series.copy.push(await timed(() => shards.map((shard) => new Uint8Array(shard)), cpu.copy));
  series.memcpy.push(await timed(() => shards.forEach((shard, i) => kept[i]?.set(shard))));
  series.node.push(await timed(encryptAll(node), cpu.node));
  series.web.push(await timed(encryptAll(web)));
  series.decrypt.push(
    await timed(async () => {
      for (const [i, shard] of sealed.entries()) await node.decryptShard(contentKey, i, shard);
    }),
  );
}
const mib = (shardCount * shardBytes) / 2 ** 20;
const mbps = (ms: number) => Math.round((mib / ms) * 1000);
const copyMs = median(series.copy);
const memcpyMs = median(series.memcpy);

// Wrap and unwrap per grantee.
const binding: EnvelopeBinding = {
  chainId: 31337n,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  imageId: 1n,
  version: 1n,
  grantee: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};
async function perGrantee(crypto: DispCrypto) {
  const reader = await crypto.keyPairFromSecret(pseudoRandomBytes(32, 99));
  const envelopes: Uint8Array[] = [];
  const wrapMs = await timed(async () => {
    for (let i = 0; i < grantees; i++)
      envelopes.push(await crypto.wrapContentKey(contentKey, reader.publicKey, binding));
  });
  const unwrapMs = await timed(async () => {
    for (const envelope of envelopes) await crypto.unwrapContentKey(envelope, reader, binding);
  });
  return {
    wrapMs: +(wrapMs / grantees).toFixed(4),
    unwrapMs: +(unwrapMs / grantees).toFixed(4),
    bytes: envelopes[0]?.length,
  };
}
await perGrantee(node);
const wrapNode = await perGrantee(node);
const wrapWeb = await perGrantee(web);

// X25519 ECDH + HKDF, the two library choices, on the same inputs.
const ops = grantees;
const mine = generateKeyPairSync("x25519");
const theirs = generateKeyPairSync("x25519");
const nobleSecret = x25519.utils.randomSecretKey();
const noblePublic = x25519.getPublicKey(x25519.utils.randomSecretKey());
const nodeEcdhMs = await timed(() => {
  for (let i = 0; i < ops; i++) diffieHellman({ privateKey: mine.privateKey, publicKey: theirs.publicKey });
});
const nobleEcdhMs = await timed(() => {
  for (let i = 0; i < ops; i++) x25519.getSharedSecret(nobleSecret, noblePublic);
});
const ikm = pseudoRandomBytes(32, 7);
const salt = new TextEncoder().encode("salt");
const info = new TextEncoder().encode("info");
const nodeHkdfMs = await timed(() => {
  for (let i = 0; i < ops * 10; i++) hkdfSync("sha256", ikm, salt, info, 44);
});
const nobleHkdfMs = await timed(() => {
  for (let i = 0; i < ops * 10; i++) hkdf(sha256, ikm, salt, info, 44);
});

console.log(
  JSON.stringify({
    bench: "crypto",
    load: loadavg().map((value) => +value.toFixed(2)),
    shards: shardCount,
    shardMiB: shardBytes / 2 ** 20,
    rounds,
    copyMBps: mbps(copyMs),
    memcpyMBps: mbps(memcpyMs),
    encryptNodeMBps: mbps(median(series.node)),
    encryptWebCryptoMBps: mbps(median(series.web)),
    decryptNodeMBps: mbps(median(series.decrypt)),
    encryptVsCopy: +(copyMs / median(series.node)).toFixed(2),
    encryptVsCopyCpu: +(median(cpu.copy) / median(cpu.node)).toFixed(2),
    encryptVsMemcpy: +(memcpyMs / median(series.node)).toFixed(2),
    encryptWebCryptoVsCopy: +(copyMs / median(series.web)).toFixed(2),
    envelopeBytes: wrapNode.bytes,
    wrapMsPerGrantee: { node: wrapNode.wrapMs, webcrypto: wrapWeb.wrapMs },
    unwrapMsPerGrantee: { node: wrapNode.unwrapMs, webcrypto: wrapWeb.unwrapMs },
    x25519MsPerOp: {
      nodeCrypto: +(nodeEcdhMs / ops).toFixed(4),
      nobleCurves: +(nobleEcdhMs / ops).toFixed(4),
    },
    hkdfMsPerOp: {
      nodeCrypto: +(nodeHkdfMs / (ops * 10)).toFixed(4),
      nobleHashes: +(nobleHkdfMs / (ops * 10)).toFixed(4),
    },
  }),
);
