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
