export { checkFragmentBytes, checkShardBytes, type ShardMismatch } from "./check.js";
export {
  FORMAT_EXTENSIONS,
  type Codec,
  type CodecChoice,
  type CodecName,
  type EncodedFragment,
  type EncodedImage,
  type EncodeImageOptions,
  type Fidelity,
  type RebuildFileOptions,
  type RebuiltImage,
  type RejectedFragment,
  type SectionOf,
} from "./codec.js";
export { encodeImageFile } from "./encode.js";
export { MAX_FILE_BYTES } from "./file/index.js";
export { CodecError, type CodecErrorCode } from "./errors.js";
export { applyOrientation } from "./orient.js";
export { rebuildImageFile } from "./rebuild.js";
export {
  CODEC_CHOICES,
  CODEC_NAMES,
  codecNamed,
  codecOf,
  fileFidelity,
  fileMatchesContentHash,
  fragmentExtension,
  maxFragmentBytes,
} from "./registry.js";
export { rebuildImage, type RebuildOptions, type RebuildResult } from "./png/rebuild.js";
export { splitImageFile, type SplitImageOptions, type SplitImageResult } from "./png/split.js";
