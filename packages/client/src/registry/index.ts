export { checkRegistry, connectRegistry } from "./contract.js";
export type { Registry } from "./registry.js";
export * from "./types.js";
