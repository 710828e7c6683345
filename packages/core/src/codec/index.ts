export { checkFragmentBytes, fileMatchesContentHash } from "./check.js";
export { encodeImageFile } from "./encode.js";
export { CodecError, type CodecErrorCode } from "./errors.js";
export { applyOrientation } from "./orient.js";
export { rebuildImageFile } from "./rebuild.js";
export {
  CODEC_CHOICES,
  CODEC_NAMES,
  FORMAT_EXTENSIONS,
  fragmentExtension,
  type CodecChoice,
  type CodecName,
  type EncodeImageOptions,
  type EncodedImage,
  type RebuildFileOptions,
  type RebuiltImage,
} from "./types.js";
