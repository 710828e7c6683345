// DISP client: store, update, retrieve, verify, history, access, communities and the node agent.
export type { ChainContext, ClientContext } from "./context.js";
export { ClientError, isClientError, type ClientErrorCode } from "./errors.js";
export type { ClientPhase, ClientProgress, OnClientProgress } from "./progress.js";
export {
  checkRegistry,
  connectChallenges,
  connectRegistry,
  DEFAULT_MAX_LOG_RANGE,
  IMAGE_EVENTS,
  NODE_STATUSES,
  type ImageEvent,
  type ImageEventName,
  type ImageInfo,
  type NodeContact,
  type NodeInfo,
  type NodeStatus,
  type Registered,
  type Registry,
  type RegistryOptions,
  type StorageReceipt,
  type StoredVersion,
  type Transacted,
  type VersionEvent,
  type ChallengeState,
  type ChallengedVersion,
  type Challenges,
  type NodeProofRecord,
  type RepairNeeded,
  type SegmentCommitmentProof,
  type ChallengeRecordEvent,
  type ProofEvent,
  type RepairNeededEvent,
  type AddVersionArgs,
  MAX_KEYS_PER_CALL,
} from "./registry/index.js";
export {
  contentKeyFor,
  encryptionKeysOf,
  keyHolders,
  wrapForAccounts,
  wrapHeldVersionsFor,
  type WrappedKey,
} from "./content-keys.js";
export {
  formCommunity,
  formCommunityWith,
  removeFreeNode,
  replaceMember,
  replaceMemberWith,
  type Community,
} from "./community.js";
export { setUploader } from "./uploaders.js";
export {
  DEFAULT_KERNEL,
  kernelForSize,
  placementOf,
  replicaNodes,
  shardShapeFor,
  type Placement,
  type ShardShape,
} from "./placement.js";
export { repairSlot, type RepairOptions, type RepairResult } from "./repair.js";
export { watchRepairs, type RepairWatcher } from "./repair-watcher.js";
export { dialNode, dialNodes, type DialOptions, type Unreachable } from "./sources.js";
export {
  addressPolicyOf,
  LOCAL_CHAIN_IDS,
  MAX_PUBLISHED_MULTIADDRS,
  NODE_KEY_BINDING_DOMAIN,
  nodeBindingMessage,
  nodeProofFailure,
  publishableAddresses,
  signNodeBinding,
  type NodeBinding,
} from "./node-contact.js";
export { openSealed, sealImage, visibilityOf, type Visibility } from "./sealed.js";
export { storeImage, type EncodeOptions, type StoreResult, type StoreTarget } from "./store.js";
export { updateImage } from "./update.js";
export { revokeWithRotation, type RotateOptions } from "./rotate.js";
export { openVersion, type OpenVersion, type OpenVersionOptions } from "./open-version.js";
export { retrieveImage, type RetrieveOptions, type RetrieveResult } from "./retrieve.js";
export { verifyImage, type SlotEvidence, type VerifyOptions, type VerifyReport } from "./verify.js";
export type { SlotStatus } from "./slot-probe.js";
export { imageHistory, type HistoryEntry } from "./history.js";
export {
  DEFAULT_RECORD_EPOCHS,
  nodeRecords,
  proofHistory,
  type NodeRecordEntry,
  type NodeRecords,
  type NodeRecordsOptions,
  type ProofHistory,
  type ProofHistoryOptions,
} from "./node-records.js";
export { changeAccess, requireReadAccess, type AccessAction, type AccessChange } from "./access.js";
export { replaceReplica } from "./replicas.js";
export { resolveVersion, versionRecord, type VersionRecord } from "./versions.js";
export { imageIdHex, imageIdOf, parseImageId } from "./image-id.js";
export { createNodeAgent } from "./agent.js";
export {
  checkKeyRegistry,
  connectKeyRegistry,
  DEFAULT_REGISTRATION_SECONDS,
  deriveEncryptionKeyPair,
  openEncryptionKey,
  postKeyRegistration,
  REGISTER_KEY_TYPES,
  registerEncryptionKey,
  requireEncryptionKey,
  signKeyRegistration,
  type KeyLookup,
  type KeyRegistration,
  type KeySigner,
  type RegisterKeyOptions,
  type SignedKeyRegistration,
} from "./keys.js";
export { type AgentEvent, type NodeAgent, type NodeAgentOptions, type SyncReport } from "./agent-api.js";
