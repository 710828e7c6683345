// DISP's formats, shared by every other package: the errors base, the manifest envelope and its
// canonical bytes, content hashes, Merkle leaves and roots, UnixFS settings and offline CIDs.
// Imports no other package of ours: no codecs, no chain, no IPFS node.
export { DispError, ManifestError, isDispError, type ProtocolErrorCode } from "./errors.js";
export {
  CONTENT_HASH_ALGORITHMS,
  PIXEL_HASH_ALGORITHM,
  RGBA_BIT_DEPTH,
  RGBA_CHANNELS,
  pixelHash,
  sha256Hex,
  type ContentHashAlgorithm,
  type Hex32,
  type RgbaImage,
} from "./hash.js";
export { MAX_KERNEL_SIDE, PADDING_RULE, type Kernel, type PaddingRule } from "./kernel.js";
export { canonicalJson } from "./canonical-json.js";
export {
  ENCRYPTION_SCHEME,
  ENCRYPTION_TAG_BYTES,
  MAX_SEALED_MANIFEST_BYTES,
  encryptionSectionSchema,
  type EncryptionSection,
} from "./encryption.js";
export {
  MANIFEST_SCHEMA,
  MANIFEST_SCHEMAS,
  MANIFEST_UNIXFS,
  MAX_MANIFEST_BYTES,
  MAX_UNIXFS_CHILDREN,
  MAX_UNIXFS_CHUNK_SIZE,
  MIN_UNIXFS_CHUNK_SIZE,
  canonicalBytes,
  contentHashSchema,
  fragmentEntrySchema,
  hex32,
  isManifestCid,
  manifestSchemaWith,
  parseCanonical,
  unixFsSchema,
  validateWith,
  wireForm,
  type CodecSection,
  type FragmentEntry,
  type ManifestOf,
  type ManifestSchemaName,
} from "./manifest.js";
export {
  MAX_VERSION_SHARDS,
  PARITY_FIELD,
  PARITY_MATRIX,
  PARITY_SCHEME,
  checkShardLengths,
  paritySectionSchema,
  shardEntries,
  type ParitySection,
} from "./parity.js";
export {
  LEAF_ENCODING,
  MANIFEST_LEAF_INDEX,
  buildTree,
  merkleValues,
  proofFor,
  shardLeafDigest,
  verifyLeaf,
  type DispMerkleTree,
  type LeafSource,
  type LeafValue,
} from "./merkle.js";
export {
  SEGMENT_SCHEME,
  SEGMENT_SIZE,
  challengedSegment,
  keccakHex,
  proofsSectionSchema,
  segmentAt,
  segmentCount,
  shardCommitment,
  type ProofsSection,
} from "./segments.js";
export {
  answerChallenge,
  openSegment,
  segmentRoot,
  segmentTree,
  verifySegment,
  type SegmentOpening,
  type SegmentTree,
  type ShardAnswer,
} from "./segment-tree.js";
export { DEFAULT_UNIXFS, computeCid, importerOptions, type UnixFsSettings } from "./unixfs.js";
