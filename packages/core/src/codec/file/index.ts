import { isDispError, sha256Hex } from "@disp/protocol";

import { ImageError } from "../../errors.js";
import { decodeImage } from "../../image/decode.js";
import { readImageHeader } from "../../image/header.js";
import { FILE_KINDS, isImageFormat, sniffFileFormat, type FileFormat } from "../../image/media.js";
import { checkFragmentBytes } from "../check.js";
import type { Codec, RejectedFragment, SectionOf } from "../codec.js";
import { CodecError, noFragments } from "../errors.js";
import { describeFragments, fileHashedImage } from "../manifest.js";

/**
 * The largest file the file codec keeps, and so the most a file codec manifest may declare: every
 * step (hashing, CIDs, the fetch) holds the whole file in memory, and a node refuses a manifest
 * declaring more before fetching anything.
 */
export const MAX_FILE_BYTES = 2 ** 30;

/** Whole-file replication: one fragment, the file itself, whatever its format, kernel 1x1. */
export const fileCodec: Codec<SectionOf<"file">> = {
  name: "file",
  pools: false,
  refuses: () => undefined,
  /** The file codec does not decode: any bytes up to its limit, their format named by signature. */
  async split(bytes, _header, options) {
    const limit = Math.min(options.maxFileBytes ?? MAX_FILE_BYTES, MAX_FILE_BYTES);
    if (bytes.length === 0)
      throw new CodecError("FILE_EMPTY", "the file is empty: there is nothing to store");
    if (bytes.length > limit) {
      throw new CodecError(
        "FILE_TOO_LARGE",
        `the file is ${bytes.length} bytes, over the file codec's limit of ${limit} bytes`,
      );
    }
    const format = sniffFileFormat(bytes);
    return fileHashedImage({
      source: bytes,
      ...recordedSize(bytes, format),
      kernel: { height: 1, width: 1 },
      codec: { name: "file", format },
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
    const { format } = manifest.codec;
    return {
      codec: "file",
      bytes: file,
      extension: FILE_KINDS[format].extension,
      exact: true,
      fidelity: "fileExact",
      contentHashVerified: sha256Hex(file) === manifest.contentHash.digest,
      missing: [],
      rejected: [],
      estimatedPixels: 0,
      pixels: () => {
        if (isImageFormat(format)) return decodeImage(file, { maxPixels: options.maxPixels });
        const kind = FILE_KINDS[format];
        return Promise.reject(
          new ImageError(
            "IMAGE_UNSUPPORTED",
            `the stored file is a ${kind.name} (${kind.mediaType}), kept byte for byte: DISP does not decode it, so it has no pixels to give`,
          ),
        );
      },
    };
  },
  contentHashOf: (file) => Promise.resolve(sha256Hex(file)),
  fragmentExtension: (section) => FILE_KINDS[section.format].extension,
  maxFragmentBytes: () => MAX_FILE_BYTES,
};

/**
 * The size the manifest records: the header's, for a format DISP reads and a header it can read
 * (nothing is decoded; the pixel limit is for decoders), else 1x1.
 */
function recordedSize(bytes: Uint8Array, format: FileFormat): { width: number; height: number } {
  if (!isImageFormat(format)) return { width: 1, height: 1 };
  try {
    const { width, height } = readImageHeader(bytes);
    return { width, height };
  } catch (error) {
    // A raw file in TIFF's clothes, or a damaged header: the file is kept all the same.
    if (isDispError(error)) return { width: 1, height: 1 };
    throw error;
  }
}
