/**
 * Calls the library's WebAssembly binary (rust-rse reed-solomon-erasure, from
 * @digitaldefiance/reed-solomon-erasure.wasm) directly rather than through the package's JS class:
 * that class frees the shard-flags buffer after `reconstruct`, which the Rust side has already
 * freed, and the double free corrupts the allocator, so later `reconstruct` calls on the instance
 * read clobbered flags and refuse ("too few shards present" with one shard lost). Here the flags
 * are handed over and never freed by us, and the shard buffer is allocated once per instance and
 * reused, as the allocator (wee_alloc) otherwise grows its heap on every call.
 */

/** The part of the WebAssembly JS API used here (TypeScript declares it only in its DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmExports = Record<string, unknown>;
declare const WebAssembly: {
  compile(bytes: ArrayBuffer | Uint8Array): Promise<object>;
  Instance: new (module: object) => { readonly exports: WasmExports };
  Memory: abstract new (...args: never[]) => WasmMemory;
};

/** The binary's exports (wasm-bindgen ABI of the pinned version). */
interface RsExports {
  memory: WasmMemory;
  encode(shards: number, length: number, dataShards: number, parityShards: number): number;
  reconstruct(
    shards: number,
    length: number,
    dataShards: number,
    parityShards: number,
    flags: number,
    flagCount: number,
  ): number;
  __wbindgen_malloc(length: number): number;
}

/** The library's result code for success; any other after our own checks would be a bug. */
const RESULT_OK = 0;

/** An instance holding more than this is dropped after its call, so its memory can be freed. */
const RETAINED_BYTES = 64 * 2 ** 20;

/** Where the WebAssembly binary comes from when the default location does not fit (a bundler). */
export type WasmSource = ArrayBuffer | Uint8Array | Response | Promise<Response>;

/**
 * k + m shards of equal length in the library's memory, so shards are copied in and out once. Views
 * from `shard` are valid until the next `encode` or `reconstruct` (either may grow the memory).
 */
export interface ShardBuffer {
  shard(index: number): Uint8Array;
  /** Fills the last m shards with parity over the first k. */
  encode(): void;
  /** Rebuilds the first k shards where `present[i]` is false, from the shards present. */
  reconstruct(present: readonly boolean[]): void;
}

/** Reed–Solomon over GF(2^8) as the library computes it. */
export interface ReedSolomonWasm {
  /** Runs `work` over a buffer of k + m shards of `shardLength` bytes (contents undefined). */
  withShards<T>(k: number, m: number, shardLength: number, work: (shards: ShardBuffer) => T): T;
}

const WASM_SPECIFIER = "@digitaldefiance/reed-solomon-erasure.wasm/wasm";

/**
 * Compiles the library. By default the binary is found next to the package: read from disk in Node
 * (the package's own loader uses `__dirname`, which ES modules lack), fetched in a browser.
 */
export async function instantiateWasm(source?: WasmSource): Promise<ReedSolomonWasm> {
  const resolved = await (source ?? defaultSource());
  const bytes = isResponse(resolved) ? await resolved.arrayBuffer() : resolved;
  return new WasmReedSolomon(await WebAssembly.compile(bytes));
}

async function defaultSource(): Promise<ArrayBuffer | Uint8Array | Response> {
  let url: URL;
  try {
    url = new URL(import.meta.resolve(WASM_SPECIFIER));
  } catch (error) {
    // A page without an import map (or a bundler that drops import.meta.resolve) cannot find it.
    throw new Error(`cannot locate ${WASM_SPECIFIER}: pass its bytes or a fetch() as options.wasm`, {
      cause: error,
    });
  }
  if (url.protocol === "file:") {
    // Imported only here so that a browser bundle never needs node:fs.
    const { readFile } = await import("node:fs/promises");
    return new Uint8Array(await readFile(url));
  }
  return fetch(url);
}

function isResponse(value: ArrayBuffer | Uint8Array | Response): value is Response {
  return typeof Response !== "undefined" && value instanceof Response;
}

function isRsExports(exports: WasmExports): exports is WasmExports & RsExports {
  return (
    exports.memory instanceof WebAssembly.Memory &&
    ["encode", "reconstruct", "__wbindgen_malloc"].every((name) => typeof exports[name] === "function")
  );
}

class WasmReedSolomon implements ReedSolomonWasm {
  readonly #module: object;
  #current: { exports: RsExports; region: number; capacity: number } | undefined;

  constructor(module: object) {
    this.#module = module;
  }

  withShards<T>(k: number, m: number, shardLength: number, work: (shards: ShardBuffer) => T): T {
    const length = (k + m) * shardLength;
    const slot = this.#slot(length);
    // Only a call that ends normally gives the instance back: a trap would leave it unusable.
    this.#current = undefined;
    const { exports: rs, region } = slot;
    const check = (result: number): void => {
      if (result !== RESULT_OK) throw new Error(`reed-solomon-erasure returned ${result} for checked input`);
    };
    const result = work({
      shard: (index) => new Uint8Array(rs.memory.buffer, region + index * shardLength, shardLength),
      encode: () => check(rs.encode(region, length, k, m)),
      reconstruct: (present) => {
        // Ownership of the flags passes to the Rust side, which frees them.
        const flags = rs.__wbindgen_malloc(present.length);
        new Uint8Array(rs.memory.buffer, flags, present.length).set(present.map((p) => (p ? 1 : 0)));
        check(rs.reconstruct(region, length, k, m, flags, present.length));
      },
    });
    if (slot.capacity <= RETAINED_BYTES) this.#current = slot;
    return result;
  }

  #slot(length: number): { exports: RsExports; region: number; capacity: number } {
    if (this.#current && this.#current.capacity >= length) return this.#current;
    const exports = new WebAssembly.Instance(this.#module).exports;
    if (!isRsExports(exports)) throw new Error("reed-solomon-erasure binary lacks the expected exports");
    const capacity = Math.max(length, 1024);
    return { exports, region: exports.__wbindgen_malloc(capacity), capacity };
  }
}
