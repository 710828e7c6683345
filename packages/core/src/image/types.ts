/**
 * Decoded pixels as the pooling codec handles them: 8-bit RGBA, row-major, no row padding. Grey,
 * palette and alpha-less images arrive here as the RGBA their decoder produced.
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes: R, G, B, A per pixel. */
  readonly data: Uint8Array;
}

/** Channels and bit depth of every RgbaImage; recorded in the manifest and the pixel hash header. */
export const RGBA_CHANNELS = 4;
export const RGBA_BIT_DEPTH = 8;

/** The formats `decodeImage` reads (all through jimp). */
export const IMAGE_FORMATS = ["png", "jpeg", "bmp", "gif", "tiff"] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** What a file's header says, read before any pixel buffer exists. */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Largest bits per sample the file declares (8 for palette and 1/2/4-bit images). */
  readonly bitsPerChannel: number;
  /** Pixels the decoder will allocate: width * height, or every page's together for a TIFF. */
  readonly pixelsToDecode: number;
}
