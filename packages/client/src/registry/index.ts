export { checkRegistry, connectRegistry, type RegistryOptions } from "./contract.js";
export { DEFAULT_MAX_LOG_RANGE } from "./logs.js";
export { MAX_KEYS_PER_CALL } from "./keys.js";
export type { Registry } from "./registry.js";
export * from "./types.js";
export {
  connectChallenges,
  type ChallengeState,
  type ChallengedVersion,
  type Challenges,
  type NodeProofRecord,
  type RepairNeeded,
  type SegmentCommitmentProof,
} from "./challenges.js";
export type {
  ChallengeEventQuery,
  ChallengeEvents,
  ChallengeRecordEvent,
  ProofEvent,
  RepairNeededEvent,
} from "./challenge-logs.js";
