import { createHash } from "node:crypto";

import { RGBA_BIT_DEPTH, RGBA_CHANNELS, type RgbaImage } from "./image/types.js";

/** How a content hash was computed; the manifest names it next to the digest. */
export const PIXEL_HASH_ALGORITHM = "disp-pixels-sha256";

/**
 * SHA-256 over a canonical header and the pixels, so the same pixels hash the same whatever file
 * format carried them. Header (10 bytes, big-endian): width u32, height u32, channels u8,
 * bit depth u8; then the samples row by row, channels interleaved (RGBA, 8 bits: one byte each).
 * Returned as 0x-prefixed hex, ready to be a bytes32 on chain.
 */
export function pixelHash(image: RgbaImage): `0x${string}` {
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

/** SHA-256 of raw bytes as 0x-prefixed hex (fragment files, manifest bytes, original files). */
export function sha256Hex(bytes: Uint8Array): `0x${string}` {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}
