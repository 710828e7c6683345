import { sha256Hex, type RgbaImage } from "@disp/protocol";

import { ImageError } from "../../errors.js";
import type { Manifest } from "../../manifest/schema.js";
import { rgbaToRaster } from "../../png/samples.js";
import { coloursOf, sourceFrame, writeSource } from "../../png/source.js";
import { poolingLayout } from "../../pooling/layout.js";
import { mergeSamples, type SamplePlane } from "../../pooling/samples.js";
import type { Fidelity } from "../codec.js";
import type { PngSourceSection } from "./section.js";

/**
 * The stored PNG from its merged content: the raster (the merged 16-bit samples, or the one the
 * merged RGBA gives under the recorded header and palette) written with the recorded chunks, and
 * with the recorded image data encoding when there is one. fileExact only when the result's
 * SHA-256 is the stored file's.
 */
export async function rebuildSource(
  manifest: Manifest,
  source: PngSourceSection,
  image: RgbaImage,
  planes: readonly (SamplePlane | undefined)[] | undefined,
): Promise<{ bytes: Uint8Array; fidelity: Exclude<Fidelity, "approximate"> }> {
  const frame = sourceFrame(source, manifest.image.width, manifest.image.height);
  let rows: Uint8Array | undefined;
  if (planes === undefined) rows = rgbaToRaster(frame.ihdr, image, coloursOf(frame));
  else {
    const present = planes.filter((plane): plane is SamplePlane => plane !== undefined);
    const layout = poolingLayout(manifest.image.width, manifest.image.height, manifest.kernel);
    if (present.length === layout.fragmentCount) rows = mergeSamples(layout, present).data;
  }
  if (rows === undefined) {
    throw new ImageError(
      "IMAGE_CORRUPT",
      `the merged pixels do not fit the stored PNG's ${source.bitDepth}-bit colour type ${source.colorType} and palette`,
    );
  }
  const bytes = await writeSource(source, frame, rows);
  const same = source.imageData !== null && sha256Hex(bytes) === source.sha256;
  return { bytes, fidelity: same ? "fileExact" : "contentExact" };
}
