// The shards of a version: the codec's fragments plus their parity, checked and restored together.
export { maxShardBytes, shardEntry } from "./bounds.js";
export { addParity, checkParityCount, type AddParityOptions, type ProtectedImage } from "./protect.js";
export { addSegmentRoots } from "./segments.js";
export {
  paramsOf,
  rebuildFromShards,
  restoreFragments,
  restoreShard,
  type RejectedShard,
  type RestoredFragments,
  type SealedContent,
  type ShardPath,
  type ShardRebuiltImage,
} from "./restore.js";
