// Pure DISP codec: pooling split/merge/recovery, manifest, Merkle leaves, pixel hash.
// No Hardhat, ethers or IPFS node imports: plain data in, data out.
export { DispError, isDispError } from "./errors.js";
export { DEFAULT_UNIXFS, computeCid, importerOptions, type UnixFsSettings } from "./unixfs.js";
export * from "./jpeg/index.js";
