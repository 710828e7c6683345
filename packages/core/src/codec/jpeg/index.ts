import { sha256Hex } from "@disp/protocol";

import { splitJpeg } from "../../jpeg/split.js";
import { checkKernel } from "../../pooling/layout.js";
import { maxJpegFragmentBytes } from "../bounds.js";
import type { Codec, SectionOf } from "../codec.js";
import { describeFragments, fileHashedImage } from "../manifest.js";
import { rebuildJpeg } from "./rebuild.js";

/** The JPEG coefficient codec: baseline JPEGs pooled on their MCUs, fragments are JPEGs. */
export const jpegCodec: Codec<SectionOf<"jpeg">> = {
  name: "jpeg",
  pools: true,
  refuses: (header) =>
    header.format === "jpeg"
      ? undefined
      : `the jpeg codec takes JPEG files only; this file is a ${header.format.toUpperCase()}`,
  async split(bytes, _header, options) {
    const { kernel, onProgress, signal } = options;
    checkKernel(kernel);
    onProgress?.({ phase: "split", done: 0, total: 1 });
    const { fragments, layout } = splitJpeg(bytes, kernel, { maxPixels: options.maxPixels });
    onProgress?.({ phase: "split", done: 1, total: 1 });
    return fileHashedImage({
      source: bytes,
      width: layout.width,
      height: layout.height,
      kernel,
      codec: { name: "jpeg", layout },
      unixfs: options.unixfs,
      fragments: await describeFragments(fragments, options.unixfs, onProgress, signal),
    });
  },
  rebuild: (manifest, files, options) => rebuildJpeg(manifest, manifest.codec.layout, files, options),
  contentHashOf: (file) => Promise.resolve(sha256Hex(file)),
  fragmentExtension: () => "jpg",
  maxFragmentBytes: (manifest, index) => maxJpegFragmentBytes(manifest.codec.layout, index),
};
