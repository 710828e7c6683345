import type { Kernel } from "@disp/protocol";

import { isDispError } from "@disp/protocol";
import { readPngFile, SAMPLES_PER_PIXEL, type PngColorTypeCode, type PngIhdr } from "../../png/chunks.js";
import { readRaster } from "../../png/raster.js";
import { rasterToRgba } from "../../png/samples.js";
import { PNG_FILTERS, type PngColorType, type PngSettings } from "../../png/settings.js";
import { DEFAULT_IDAT_RUNS, writePng } from "../../png/write.js";
import type { Fragment, PoolingLayout } from "../../pooling/layout.js";
import { splitSamples, type SamplePlane } from "../../pooling/samples.js";
import type { OnProgress } from "../../progress.js";
import type { SectionOf } from "../codec.js";
import { encodeEach } from "./encode-each.js";
import type { ReadPng } from "./decode.js";

/** What either fragment encoder gives: the layout, the fragment files, the codec section. */
export interface EncodedFragmentFiles {
  readonly layout: PoolingLayout;
  readonly files: Promise<Uint8Array[]>;
  readonly section: SectionOf<"png">;
}

/** 16-bit PNGs are pooled on their own samples: RGBA8 would drop the low byte of every sample. */
export function isDeep(ihdr: Pick<PngIhdr, "bitDepth">): boolean {
  return ihdr.bitDepth === 16;
}

const NAMES: Readonly<Record<Exclude<PngColorTypeCode, 3>, PngColorType>> = {
  0: "gray",
  2: "rgb",
  4: "gray-alpha",
  6: "rgba",
};
const CODES: Readonly<Record<PngColorType, PngColorTypeCode>> = { gray: 0, rgb: 2, "gray-alpha": 4, rgba: 6 };

/** The header of a 16-bit fragment of `section`'s layout. */
function fragmentIhdr(colorType: PngColorType, layout: PoolingLayout): PngIhdr {
  return {
    width: layout.fragmentWidth,
    height: layout.fragmentHeight,
    bitDepth: 16,
    colorType: CODES[colorType],
    interlace: 0,
  };
}

/**
 * 16-bit fragments: the PNG's samples split by the kernel, each fragment a 16-bit PNG of the same
 * colour type (viewable as it is), filtered with one fixed filter ("adaptive" is pngjs's and
 * becomes Paeth here) and deflated by Node's zlib at the recorded level.
 */
export function encodeDeepFragments(
  png: ReadPng,
  kernel: Kernel,
  settings: Omit<PngSettings, "colorType">,
  onProgress: OnProgress | undefined,
  signal: AbortSignal | undefined,
): EncodedFragmentFiles {
  const { ihdr } = png.file;
  if (ihdr.colorType === 3) throw new RangeError("a palette PNG has no 16-bit samples");
  const plane: SamplePlane = {
    width: ihdr.width,
    height: ihdr.height,
    bytesPerPixel: SAMPLES_PER_PIXEL[ihdr.colorType] * 2,
    data: png.raster.rows,
  };
  const { layout, fragments } = splitSamples(plane, kernel);
  onProgress?.({ phase: "split", done: 1, total: 1 });
  const colorType = NAMES[ihdr.colorType];
  const filter = settings.filter === "adaptive" ? "paeth" : settings.filter;
  const section: SectionOf<"png"> = {
    name: "png",
    colorType,
    bitDepth: 16,
    filter,
    deflateLevel: settings.deflateLevel,
  };
  const files = encodeEach(
    fragments,
    (fragment) => writeDeepFragment(section, layout, fragment.data),
    onProgress,
    signal,
  );

  return { layout, files, section };
}

function writeDeepFragment(
  section: SectionOf<"png">,
  layout: PoolingLayout,
  rows: Uint8Array,
): Promise<Uint8Array> {
  const frame = {
    ihdr: fragmentIhdr(section.colorType, layout),
    before: [],
    after: [],
    trailer: new Uint8Array(0),
  };
  const encoding = {
    filters: PNG_FILTERS.indexOf(section.filter),
    deflate: { level: section.deflateLevel },
    idatRuns: DEFAULT_IDAT_RUNS,
  };
  return writePng(frame, rows, encoding);
}

/** A verified 16-bit fragment: its samples, and its RGBA (high bytes) for recovery and hashing. */
export interface DeepFragment {
  readonly plane: SamplePlane;
  readonly rgba: Fragment;
}

/** The decoded 16-bit fragment when it is the PNG the layout expects, else why not. */
export async function decodeDeepFragment(
  section: SectionOf<"png">,
  layout: PoolingLayout,
  index: number,
  file: Uint8Array,
): Promise<DeepFragment | string> {
  const expected = fragmentIhdr(section.colorType, layout);
  try {
    const png = readPngFile(file);
    const { ihdr } = png;
    if (ihdr.width !== expected.width || ihdr.height !== expected.height) {
      return `decodes to ${ihdr.width} × ${ihdr.height}, expected ${expected.width} × ${expected.height}`;
    }
    if (ihdr.bitDepth !== 16 || ihdr.colorType !== expected.colorType || ihdr.interlace !== 0) {
      return `is a ${ihdr.bitDepth}-bit PNG of colour type ${ihdr.colorType}, expected 16-bit ${section.colorType}`;
    }
    const { raster } = await readRaster(png);
    const rgba = rasterToRgba(ihdr, raster.rows, {});
    return {
      plane: {
        width: ihdr.width,
        height: ihdr.height,
        bytesPerPixel: SAMPLES_PER_PIXEL[ihdr.colorType] * 2,
        data: raster.rows,
      },
      rgba: { index, width: ihdr.width, height: ihdr.height, data: rgba.data },
    };
  } catch (error) {
    if (isDispError(error)) return `does not decode: ${error.message}`;
    throw error;
  }
}
