// DISP's codecs: pooling split/merge/recovery on pixels, JPEG-native pooling on DCT coefficients,
// whole-file replication, and the manifest's codec sections. Formats live in @disp/protocol.
// No Hardhat, ethers or IPFS node imports: plain data in, data out.
export { ImageError, PoolingError, type ImageErrorCode, type PoolingErrorCode } from "./errors.js";

export {
  DEFAULT_MAX_PIXELS,
  checkedImageHeader,
  decodeImage,
  type DecodeOptions,
  type DecodedImage,
} from "./image/decode.js";
export { readImageHeader, sniffFormat } from "./image/header.js";
export { IMAGE_FORMATS, type ImageFormat, type ImageHeader } from "./image/types.js";
export {
  FILE_FORMATS,
  FILE_KINDS,
  extensionFits,
  fileKindOfExtension,
  isImageFormat,
  sniffFileFormat,
  type FileFormat,
  type FileKind,
} from "./image/media.js";

export {
  checkKernel,
  formatKernel,
  parseKernel,
  poolingLayout,
  type Fragment,
  type PoolingLayout,
} from "./pooling/layout.js";
export { split, type SplitResult } from "./pooling/split.js";
export { merge } from "./pooling/merge.js";
export { mergeSamples, splitSamples, type SamplePlane } from "./pooling/samples.js";
export { recover, type RecoveryResult } from "./pooling/recover.js";

export { psnr } from "./metrics.js";

export { chooseColorType, encodePng } from "./png/encode.js";
export { MAX_PNG_METADATA_BYTES } from "./png/source.js";
export {
  DEFAULT_DEFLATE_LEVEL,
  DEFAULT_PNG_FILTER,
  PNG_COLOR_TYPES,
  PNG_FILTERS,
  type PngColorType,
  type PngFilter,
  type PngSettings,
} from "./png/settings.js";

export { parseManifest, serializeManifest, validateManifest } from "./manifest/manifest.js";
export { codecSchema, manifestSchema, type Manifest, type ManifestCodec } from "./manifest/schema.js";

export type { OnProgress, ProgressEvent, ProgressPhase } from "./progress.js";

export * from "./jpeg/index.js";

export * from "./codec/index.js";

export * from "./parity/index.js";

export * from "./shards/index.js";
