import { z } from "zod";

import { ParityError } from "./errors.js";
import {
  MAX_PARITY_BYTES,
  MAX_PARITY_TOTAL_SHARDS,
  PARITY_SCHEME,
  parityParamsSchema,
  type ParityParams,
} from "./scheme.js";
import { instantiateWasm, type ReedSolomonWasm, type ShardBuffer, type WasmSource } from "./wasm.js";

/** The m parity shards of k data shards, and the record that rebuilds them. */
export interface ParityResult {
  params: ParityParams;
  /** `params.m` shards of `params.shardLength` bytes each, in parity order (shard k + p). */
  parity: Uint8Array[];
}

/** Reed–Solomon parity as a pure step; every call is synchronous once the codec is loaded. */
export interface ParityCodec {
  /** Computes m parity shards over the data shards (unequal lengths are zero-padded to the longest). */
  encode(dataShards: readonly Uint8Array[], m: number): ParityResult;
  /**
   * Returns the k data shards, unpadded and exact, from any k of the k + m shards: `shards[i]` is
   * data shard i for i < k and parity shard i - k after, `undefined` where lost (or rejected by
   * the caller's hash check: a tampered shard is an erasure). Data shards given are returned as
   * they are.
   */
  reconstruct(params: ParityParams, shards: readonly (Uint8Array | undefined)[]): Uint8Array[];
}

export interface ParityCodecOptions {
  /** The library's WebAssembly binary, where a bundler serves it elsewhere than next to the package. */
  wasm?: WasmSource;
}

/** Loads the library's WebAssembly module and returns a codec over it. */
export async function createParityCodec(options: ParityCodecOptions = {}): Promise<ParityCodec> {
  return new WasmParityCodec(await instantiateWasm(options.wasm));
}

let shared: Promise<ParityCodec> | undefined;

/** One codec per process (or page), loaded on first use. */
export function defaultParityCodec(): Promise<ParityCodec> {
  shared ??= createParityCodec().catch((error: unknown) => {
    shared = undefined; // a failed load is retried by the next caller, not remembered
    throw error;
  });
  return shared;
}

/** `encode` on the default codec. */
export async function encodeParity(dataShards: readonly Uint8Array[], m: number): Promise<ParityResult> {
  return (await defaultParityCodec()).encode(dataShards, m);
}

/** `reconstruct` on the default codec. */
export async function reconstructData(
  params: ParityParams,
  shards: readonly (Uint8Array | undefined)[],
): Promise<Uint8Array[]> {
  return (await defaultParityCodec()).reconstruct(params, shards);
}

class WasmParityCodec implements ParityCodec {
  readonly #rs: ReedSolomonWasm;

  constructor(rs: ReedSolomonWasm) {
    this.#rs = rs;
  }

  encode(dataShards: readonly Uint8Array[], m: number): ParityResult {
    const k = dataShards.length;
    if (k < 1 || !Number.isInteger(m) || m < 1 || k + m > MAX_PARITY_TOTAL_SHARDS) {
      throw new ParityError(
        "PARITY_INVALID_PARAMS",
        `cannot make ${m} parity shards over ${k} data shards: need k >= 1, m >= 1, k + m <= ${MAX_PARITY_TOTAL_SHARDS}`,
      );
    }
    const dataLengths = dataShards.map((shard) => shard.length);
    const shardLength = Math.max(...dataLengths);
    if (shardLength === 0) throw new ParityError("PARITY_INVALID_SHARDS", "every data shard is empty");
    if (shardLength * (k + m) > MAX_PARITY_BYTES) {
      throw new ParityError(
        "PARITY_INVALID_SHARDS",
        `${k + m} shards of ${shardLength} bytes exceed the ${MAX_PARITY_BYTES}-byte limit`,
      );
    }
    const parity = this.#rs.withShards(k, m, shardLength, (buffer) => {
      dataShards.forEach((shard, i) => place(buffer.shard(i), shard));
      buffer.encode();
      return Array.from({ length: m }, (_, p) => buffer.shard(k + p).slice());
    });
    return { params: { scheme: PARITY_SCHEME, k, m, shardLength, dataLengths }, parity };
  }

  reconstruct(params: ParityParams, shards: readonly (Uint8Array | undefined)[]): Uint8Array[] {
    const { k, m, shardLength, dataLengths } = validParams(params);
    if (shards.length !== k + m) {
      throw new ParityError(
        "PARITY_INVALID_SHARDS",
        `expected ${k + m} shards (k = ${k}, m = ${m}), got ${shards.length}`,
      );
    }
    const lost: number[] = [];
    shards.forEach((shard, i) => {
      if (shard === undefined) {
        lost.push(i);
        return;
      }
      const expected = i < k ? (dataLengths[i] ?? 0) : shardLength;
      if (shard.length !== expected) {
        throw new ParityError(
          "PARITY_SHARD_LENGTH",
          `${shardName(i, k)} is ${shard.length} bytes, the parameters say ${expected}`,
        );
      }
    });
    if (lost.length > m) {
      throw new ParityError(
        "PARITY_TOO_MANY_LOST",
        `${lost.length} of ${k + m} shards lost (${lost.map((i) => shardName(i, k)).join(", ")}); parity rebuilds at most ${m}`,
      );
    }
    const given = shards.slice(0, k).filter((shard) => shard !== undefined);
    if (given.length === k) return given;

    return this.#rs.withShards(k, m, shardLength, (buffer) => {
      shards.forEach((shard, i) => {
        if (shard) place(buffer.shard(i), shard);
      });
      buffer.reconstruct(shards.map((shard) => shard !== undefined));
      const data = shards.slice(0, k).map((shard, i) => {
        if (shard) return shard;
        const rebuilt = buffer.shard(i);
        const length = dataLengths[i] ?? 0;
        // The padding of a rebuilt shard is zero unless the shards used do not belong together.
        if (rebuilt.subarray(length).some((byte) => byte !== 0)) {
          throw inconsistent(`rebuilt ${shardName(i, k)} has non-zero padding`);
        }
        return rebuilt.slice(0, length);
      });
      // Fewer than m lost: more than k shards present, so the spare ones can be checked.
      if (lost.length < m) checkSpareParity(buffer, shards, k, m);
      return data;
    });
  }
}

/** With more than k shards present the rest must agree with the data rebuilt from the first k. */
function checkSpareParity(
  buffer: ShardBuffer,
  shards: readonly (Uint8Array | undefined)[],
  k: number,
  m: number,
): void {
  buffer.encode();
  for (let p = 0; p < m; p++) {
    const given = shards[k + p];
    if (given !== undefined && !equalBytes(given, buffer.shard(k + p))) {
      throw inconsistent(`${shardName(k + p, k)} disagrees with the other shards`);
    }
  }
}

/** Writes a data shard into its slot, zero-padded: the slot holds whatever the last call left. */
function place(slot: Uint8Array, shard: Uint8Array): void {
  slot.set(shard);
  slot.fill(0, shard.length);
}

function validParams(params: ParityParams): ParityParams {
  const result = parityParamsSchema.safeParse(params);
  if (!result.success) {
    throw new ParityError(
      "PARITY_INVALID_PARAMS",
      `invalid parity parameters: ${z.prettifyError(result.error).replaceAll("\n", "; ")}`,
    );
  }
  return result.data;
}

function inconsistent(detail: string): ParityError {
  return new ParityError(
    "PARITY_INCONSISTENT",
    `the shards do not belong together (a parity shard from another image, or altered): ${detail}`,
  );
}

function shardName(index: number, k: number): string {
  return index < k ? `data shard ${index}` : `parity shard ${index - k}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
