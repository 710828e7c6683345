/**
 * The PNG halves of bench-codec.ts, one per child process (see there), each printing one JSON line:
 * `store <file>` times the codec layer end to end on one PNG (encodeImageFile: decode, the
 * byte-exactness proof, split, fragment encode, CIDs; then rebuildImageFile from every fragment)
 * with its peak RSS; `corpus <file>...` stores and rebuilds each file and counts those given back
 * byte for byte.
 */
import { readFile } from "node:fs/promises";

import { encodeImageFile, rebuildImageFile, type Fidelity } from "@disp/core";

const KERNEL = { height: 2, width: 2 };

export interface PngStoreReport {
  storeMs: number;
  rebuildMs: number;
  fidelity: Fidelity;
  sameBytes: boolean;
  peakRssMB: number;
}

export interface PngCorpusReport {
  files: number;
  fileExact: number;
  /** Files whose rebuild is not the original, by name, with the fidelity the codec stated. */
  reEncoded: { name: string; fidelity: Fidelity }[];
}

async function roundTrip(bytes: Uint8Array) {
  const start = performance.now();
  const encoded = await encodeImageFile(bytes, { kernel: KERNEL, codec: "png" });
  const stored = performance.now();
  const rebuilt = await rebuildImageFile(
    encoded.manifest,
    encoded.fragments.map((f) => f.bytes),
  );
  const done = performance.now();
  const sameBytes = Buffer.from(rebuilt.bytes).equals(bytes);
  if (rebuilt.fidelity === "fileExact" && !sameBytes) throw new Error("fileExact, but not the same bytes");
  return { storeMs: stored - start, rebuildMs: done - stored, fidelity: rebuilt.fidelity, sameBytes };
}

async function store(file: string, warmUp: string): Promise<PngStoreReport> {
  await roundTrip(await readFile(warmUp));
  const result = await roundTrip(await readFile(file));
  return { ...result, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

async function corpus(files: readonly string[]): Promise<PngCorpusReport> {
  const reEncoded: PngCorpusReport["reEncoded"] = [];
  for (const file of files) {
    const { sameBytes, fidelity } = await roundTrip(await readFile(file));
    if (!sameBytes) reEncoded.push({ name: file.split("/").pop() ?? file, fidelity });
  }
  return { files: files.length, fileExact: files.length - reEncoded.length, reEncoded };
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const warmUp = new URL("../test/fixtures/coffee.png", import.meta.url).pathname;
  if (mode === "store") console.log(JSON.stringify(await store(args[0] as string, warmUp)));
  else if (mode === "corpus") console.log(JSON.stringify(await corpus(args)));
  else throw new Error(`unknown mode ${mode}`);
}

await main();
