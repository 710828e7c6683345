import { pixelHash } from "@disp/protocol";

import { decodeImage } from "../../image/decode.js";
import { checkKernel } from "../../pooling/layout.js";
import { maxPngBytes } from "../bounds.js";
import type { Codec, SectionOf } from "../codec.js";
import { noFragments } from "../errors.js";
import { wholePng } from "../png-output.js";
import { recoverPixels, verifyPixelFragments } from "./rebuild.js";
import { splitImageFile } from "./split.js";

/** The pixel codec: any image jimp decodes, pooled on its RGBA pixels, fragments written as PNGs. */
export const pngCodec: Codec<SectionOf<"png">> = {
  name: "png",
  pools: true,
  refuses: () => undefined,
  async split(bytes, _header, options) {
    checkKernel(options.kernel);
    const { manifest, manifestBytes, fragments } = await splitImageFile(bytes, options);
    return {
      codec: "png",
      manifest,
      manifestBytes,
      fragments,
      contentHash: manifest.contentHash.digest,
      sourceBytes: bytes.length,
      // The merge gives the same pixels back, in a PNG of its own.
      fidelity: "contentExact",
    };
  },
  async rebuild(manifest, files, options) {
    const { fragments, rejected } = await verifyPixelFragments(manifest, files, options);
    if (fragments.every((fragment) => fragment === undefined)) throw noFragments(rejected);
    const result = recoverPixels(manifest, fragments, rejected, options);
    const { image } = result;
    return {
      codec: "png",
      bytes: await wholePng(image),
      extension: "png",
      exact: result.exact,
      fidelity: result.exact ? "contentExact" : "approximate",
      contentHashVerified: result.pixelHashVerified,
      missing: result.missing,
      rejected: result.rejected,
      estimatedPixels: result.estimatedPixels,
      pixels: () => Promise.resolve(image),
    };
  },
  contentHashOf: async (file, options) => pixelHash(await decodeImage(file, options)),
  fragmentExtension: () => "png",
  maxFragmentBytes({ image, kernel }) {
    const bytesPerPixel = (image.channels * image.bitDepth) / 8;
    return maxPngBytes(
      Math.ceil(image.width / kernel.width),
      Math.ceil(image.height / kernel.height),
      bytesPerPixel,
    );
  },
};
