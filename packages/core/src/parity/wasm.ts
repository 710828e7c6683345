import { ReedSolomonErasure } from "@digitaldefiance/reed-solomon-erasure.wasm";

/** The compiled library (Rust reed-solomon-erasure built to WebAssembly), as this package uses it. */
export type ReedSolomonWasm = Pick<ReedSolomonErasure, "encode" | "reconstruct">;

/** The library's code for success; any other code after our own checks would be a bug. */
export const WASM_RESULT_OK = ReedSolomonErasure.RESULT_OK;

/** Where the WebAssembly binary comes from when the default location does not fit (a bundler). */
export type WasmSource = ArrayBuffer | Uint8Array | Response | Promise<Response>;

const WASM_SPECIFIER = "@digitaldefiance/reed-solomon-erasure.wasm/wasm";

/**
 * Instantiates the library. By default the binary is found next to the package: read from disk in
 * Node (the package's own loader uses `__dirname`, which ES modules lack), fetched in a browser.
 */
export async function instantiateWasm(source?: WasmSource): Promise<ReedSolomonWasm> {
  const bytesOrResponse = source ?? (await defaultSource());
  if (bytesOrResponse instanceof Promise || isResponse(bytesOrResponse)) {
    return ReedSolomonErasure.fromResponse(bytesOrResponse);
  }
  return ReedSolomonErasure.fromBytes(bytesOrResponse);
}

async function defaultSource(): Promise<ArrayBuffer | Uint8Array | Response> {
  const url = new URL(import.meta.resolve(WASM_SPECIFIER));
  if (url.protocol === "file:") {
    // Imported only here so that a browser bundle never needs node:fs.
    const { readFile } = await import("node:fs/promises");
    return readFile(url);
  }
  return fetch(url);
}

function isResponse(value: WasmSource): value is Response {
  return typeof Response !== "undefined" && value instanceof Response;
}
