import { pixelHash } from "@disp/protocol";

import { SAMPLES_PER_PIXEL } from "../../png/chunks.js";
import { checkKernel } from "../../pooling/layout.js";
import { maxPngBytes } from "../bounds.js";
import type { Codec, SectionOf } from "../codec.js";
import { noFragments } from "../errors.js";
import { wholePng } from "../png-output.js";
import { storedPixels } from "./decode.js";
import { recoverPixels, verifyPixelFragments } from "./rebuild.js";
import { rebuildSource } from "./source-file.js";
import { splitImageFile } from "./split.js";

/**
 * The pixel codec: any image it decodes, pooled on its RGBA pixels (a 16-bit PNG on its own
 * samples), fragments written as PNGs. A stored PNG comes back as the file it was, byte for byte
 * where its image data was proven reproducible at store time, else its pixels and chunks re-encoded.
 */
export const pngCodec: Codec<SectionOf<"png">> = {
  name: "png",
  pools: true,
  refuses: () => undefined,
  async split(bytes, _header, options) {
    checkKernel(options.kernel);
    const { manifest, manifestBytes, fragments, fidelity } = await splitImageFile(bytes, options);
    return {
      codec: "png",
      manifest,
      manifestBytes,
      fragments,
      contentHash: manifest.contentHash.digest,
      sourceBytes: bytes.length,
      fidelity,
    };
  },
  async rebuild(manifest, files, options) {
    const verified = await verifyPixelFragments(manifest, files, options);
    if (verified.fragments.every((fragment) => fragment === undefined)) throw noFragments(verified.rejected);
    const result = recoverPixels(manifest, verified.fragments, verified.rejected, options);
    const { image } = result;
    const source = manifest.codec.source;
    const file =
      result.exact && source !== undefined
        ? await rebuildSource(manifest, source, image, verified.planes)
        : ({
            bytes: await wholePng(image),
            fidelity: result.exact ? "contentExact" : "approximate",
          } as const);
    return {
      codec: "png",
      bytes: file.bytes,
      extension: "png",
      exact: result.exact,
      fidelity: file.fidelity,
      contentHashVerified: result.pixelHashVerified,
      missing: result.missing,
      rejected: result.rejected,
      estimatedPixels: result.estimatedPixels,
      pixels: () => Promise.resolve(image),
    };
  },
  contentHashOf: async (file, options) => pixelHash(await storedPixels(file, options.maxPixels)),
  fragmentExtension: () => "png",
  maxFragmentBytes({ image, kernel, codec }) {
    const bytesPerPixel =
      codec.bitDepth === 16 && codec.source !== undefined && codec.source.colorType !== 3
        ? SAMPLES_PER_PIXEL[codec.source.colorType] * 2
        : (image.channels * image.bitDepth) / 8;
    return maxPngBytes(
      Math.ceil(image.width / kernel.width),
      Math.ceil(image.height / kernel.height),
      bytesPerPixel,
    );
  },
};
