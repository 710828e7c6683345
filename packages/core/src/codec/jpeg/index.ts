import { sha256Hex } from "@disp/protocol";

import { splitJpeg } from "../../jpeg/split.js";
import { checkKernel } from "../../pooling/layout.js";
import { maxJpegFragmentBytes } from "../bounds.js";
import type { Codec, SectionOf } from "../codec.js";
import { describeFragments, fileHashedImage } from "../manifest.js";
import { rebuildJpeg } from "./rebuild.js";

/**
 * The JPEG coefficient codec: baseline, extended and progressive JPEGs pooled on their MCUs,
 * fragments are baseline JPEGs. A progressive file comes back byte for byte when its scans written
 * again from the coefficients equal its own (checked here, at store time), else as the same
 * coefficients, scan script and tables in a re-encoded file (contentExact).
 */
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
    const encoded = fileHashedImage({
      source: bytes,
      width: layout.width,
      height: layout.height,
      kernel,
      codec: { name: "jpeg", layout },
      unixfs: options.unixfs,
      fragments: await describeFragments(fragments, options.unixfs, onProgress, signal),
    });
    return { ...encoded, fidelity: layout.progressive?.fidelity ?? "fileExact" };
  },
  rebuild: (manifest, files, options) => rebuildJpeg(manifest, manifest.codec.layout, files, options),
  contentHashOf: (file) => Promise.resolve(sha256Hex(file)),
  fragmentExtension: () => "jpg",
  maxFragmentBytes: (manifest, index) => maxJpegFragmentBytes(manifest.codec.layout, index),
};
