/** PNG colour types a fragment may use (PNG colour types 0, 4, 2 and 6). */
export const PNG_COLOR_TYPES = ["gray", "gray-alpha", "rgb", "rgba"] as const;
export type PngColorType = (typeof PNG_COLOR_TYPES)[number];

/** Row filters pngjs applies before deflate ("adaptive" tries all five on every row). */
export const PNG_FILTERS = ["none", "sub", "up", "average", "paeth", "adaptive"] as const;
export type PngFilter = (typeof PNG_FILTERS)[number];

export interface PngSettings {
  readonly colorType: PngColorType;
  readonly filter: PngFilter;
  readonly deflateLevel: number;
}

/**
 * Chosen by measurement on photographs (see the codec benchmark): the "up" filter costs a quarter
 * of "paeth" in pngjs and its output is within a few per cent; deflate level 6 is zlib's default
 * balance. jimp's own default (adaptive filter, level 9, run-length strategy) was 3 to 4 times larger
 * on photographs and slower.
 */
export const DEFAULT_PNG_FILTER: PngFilter = "up";
export const DEFAULT_DEFLATE_LEVEL = 6;
