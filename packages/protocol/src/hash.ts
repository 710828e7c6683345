import { createHash } from "node:crypto";

/** A bytes32 digest as 0x-prefixed lowercase hex, ready to be a bytes32 on chain. */
export type Hex32 = `0x${string}`;

/** SHA-256 of raw bytes as 0x-prefixed hex (fragment files, manifest bytes, original files). */
export function sha256Hex(bytes: Uint8Array): Hex32 {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Channels and bit depth of the pixels DISP hashes and pools: 8-bit RGBA. */
export const RGBA_CHANNELS = 4;
export const RGBA_BIT_DEPTH = 8;

/** 8-bit RGBA pixels, row-major, no row padding: width * height * 4 bytes. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The content hash of the pixel codec: the same pixels hash the same whatever file carried them. */
export const PIXEL_HASH_ALGORITHM = "disp-pixels-sha256";

/** The content hash algorithms a manifest may name. */
export const CONTENT_HASH_ALGORITHMS = [PIXEL_HASH_ALGORITHM, "sha256"] as const;
export type ContentHashAlgorithm = (typeof CONTENT_HASH_ALGORITHMS)[number];

/**
 * SHA-256 over a canonical header and the pixels. Header (10 bytes, big-endian): width u32,
 * height u32, channels u8, bit depth u8; then the samples row by row, channels interleaved.
 */
export function pixelHash(image: RgbaImage): Hex32 {
  if (image.data.length !== image.width * image.height * RGBA_CHANNELS) {
    throw new RangeError(
      `pixel buffer of ${image.data.length} bytes does not match ${image.width} × ${image.height} RGBA`,
    );
  }
  const header = new Uint8Array(10);
  const view = new DataView(header.buffer);
  view.setUint32(0, image.width);
  view.setUint32(4, image.height);
  view.setUint8(8, RGBA_CHANNELS);
  view.setUint8(9, RGBA_BIT_DEPTH);
  return `0x${createHash("sha256").update(header).update(image.data).digest("hex")}`;
}
