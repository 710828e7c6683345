// Pure DISP codec: pooling split/merge/recovery, manifest, Merkle leaves, pixel hash.
// No Hardhat, ethers or IPFS node imports: plain data in, data out.
export {
  DispError,
  ImageError,
  ManifestError,
  PoolingError,
  isDispError,
  type ImageErrorCode,
  type PoolingErrorCode,
} from "./errors.js";
export { DEFAULT_UNIXFS, computeCid, importerOptions, type UnixFsSettings } from "./unixfs.js";

export {
  DEFAULT_MAX_PIXELS,
  checkedImageHeader,
  decodeImage,
  type DecodeOptions,
  type DecodedImage,
} from "./image/decode.js";
export { readImageHeader, sniffFormat } from "./image/header.js";
export {
  IMAGE_FORMATS,
  RGBA_BIT_DEPTH,
  RGBA_CHANNELS,
  type ImageFormat,
  type ImageHeader,
  type RgbaImage,
} from "./image/types.js";

export {
  MAX_KERNEL_SIDE,
  PADDING_RULE,
  checkKernel,
  formatKernel,
  parseKernel,
  poolingLayout,
  type Fragment,
  type Kernel,
  type PaddingRule,
  type PoolingLayout,
} from "./pooling/layout.js";
export { split, type SplitResult } from "./pooling/split.js";
export { merge } from "./pooling/merge.js";
export { recover, type RecoveryResult } from "./pooling/recover.js";

export { PIXEL_HASH_ALGORITHM, pixelHash, sha256Hex } from "./pixel-hash.js";
export { psnr } from "./metrics.js";

export { chooseColorType, encodePng } from "./png/encode.js";
export {
  DEFAULT_DEFLATE_LEVEL,
  DEFAULT_PNG_FILTER,
  PNG_COLOR_TYPES,
  PNG_FILTERS,
  type PngColorType,
  type PngFilter,
  type PngSettings,
} from "./png/settings.js";

export { canonicalJson } from "./manifest/canonical-json.js";
export { parseManifest, serializeManifest, validateManifest } from "./manifest/manifest.js";
export {
  MANIFEST_SCHEMA,
  codecSchema,
  contentHashSchema,
  manifestSchema,
  type FragmentEntry,
  type Manifest,
  type ManifestCodec,
} from "./manifest/schema.js";

export {
  LEAF_ENCODING,
  MANIFEST_LEAF_INDEX,
  buildTree,
  merkleValues,
  proofFor,
  verifyLeaf,
  type DispMerkleTree,
  type LeafValue,
} from "./merkle.js";

export type { OnProgress, ProgressEvent, ProgressPhase } from "./progress.js";
export {
  splitImageFile,
  type EncodedFragment,
  type SplitImageOptions,
  type SplitImageResult,
} from "./store-pipeline.js";
export {
  rebuildImage,
  type RebuildOptions,
  type RebuildResult,
  type RejectedFragment,
} from "./rebuild-pipeline.js";

export * from "./jpeg/index.js";

export * from "./codec/index.js";
