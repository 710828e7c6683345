// Reed–Solomon parity over a codec's fragments: pure bytes in, bytes out (runs in a browser too).
export { ParityError, type ParityErrorCode } from "./errors.js";
export {
  MAX_PARITY_BYTES,
  MAX_PARITY_TOTAL_SHARDS,
  PARITY_SCHEME,
  parityParamsSchema,
  type ParityParams,
} from "./scheme.js";
export {
  createParityCodec,
  defaultParityCodec,
  encodeParity,
  reconstructData,
  type ParityCodec,
  type ParityCodecOptions,
  type ParityResult,
} from "./codec.js";
export type { WasmSource } from "./wasm.js";
