export { checkRegistry, connectRegistry, type RegistryOptions } from "./contract.js";
export { DEFAULT_MAX_LOG_RANGE } from "./logs.js";
export type { Registry } from "./registry.js";
export * from "./types.js";
