import { sha256Hex } from "@disp/protocol";

import { decodeImage } from "../../image/decode.js";
import { checkFragmentBytes } from "../check.js";
import { FORMAT_EXTENSIONS, type Codec, type RejectedFragment, type SectionOf } from "../codec.js";
import { noFragments } from "../errors.js";
import { describeFragments, fileHashedImage } from "../manifest.js";

/** Whole-file replication: one fragment, the file itself, kernel 1x1. */
export const fileCodec: Codec<SectionOf<"file">> = {
  name: "file",
  pools: false,
  refuses: () => undefined,
  /** The file codec does not decode: the header says it is an image of an allowed size, and that is all it needs. */
  async split(bytes, header, options) {
    return fileHashedImage({
      source: bytes,
      width: header.width,
      height: header.height,
      kernel: { height: 1, width: 1 },
      codec: { name: "file", format: header.format },
      unixfs: options.unixfs,
      fragments: await describeFragments([bytes], options.unixfs, options.onProgress, options.signal),
    });
  },
  async rebuild(manifest, files, options) {
    options.signal?.throwIfAborted();
    const file = files[0];
    const reason = file === undefined ? undefined : await checkFragmentBytes(manifest, 0, file);
    options.onProgress?.({ phase: "verify", done: 1, total: 1 });
    const rejected: RejectedFragment[] = reason === undefined ? [] : [{ index: 0, reason }];
    if (file === undefined || reason !== undefined) throw noFragments(rejected);
    options.onProgress?.({ phase: "merge", done: 1, total: 1 });
    return {
      codec: "file",
      bytes: file,
      extension: FORMAT_EXTENSIONS[manifest.codec.format],
      exact: true,
      fidelity: "fileExact",
      contentHashVerified: sha256Hex(file) === manifest.contentHash.digest,
      missing: [],
      rejected: [],
      estimatedPixels: 0,
      pixels: () => decodeImage(file, { maxPixels: options.maxPixels }),
    };
  },
  contentHashOf: (file) => Promise.resolve(sha256Hex(file)),
  fragmentExtension: (section) => FORMAT_EXTENSIONS[section.format],
  // A file's metadata (EXIF, ICC, text) has no bound in its geometry: the node's own cap applies.
  maxFragmentBytes: () => Number.POSITIVE_INFINITY,
};
