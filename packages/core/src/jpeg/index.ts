// JPEG-native pooling: split a sequential or progressive JPEG's quantized DCT coefficients into fragments that are
// JPEGs themselves, merge them back into the original bytes, or recover pixels when some are lost.
export {
  JpegFragmentError,
  JpegInvalidError,
  JpegKernelError,
  JpegLayoutError,
  JpegNoFragmentsError,
  JpegTooLargeError,
  JpegTooManyScansError,
  JpegUnsupportedError,
} from "./errors.js";
export { DEFAULT_MAX_PIXELS, type JpegLimits } from "./geometry.js";
export { JPEG_LAYOUT_SCHEMA, parseJpegLayout, type JpegLayout } from "./layout.js";
export { mergeJpeg } from "./merge.js";
export { recoverJpeg, type JpegRecovery } from "./recover.js";
export { inspectJpeg, splitJpeg, type JpegInfo, type JpegInspection, type JpegSplit } from "./split.js";
