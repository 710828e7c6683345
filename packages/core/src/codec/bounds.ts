import type { JpegLayout } from "../jpeg/layout.js";

/**
 * How large a fragment file can be from its manifest's geometry alone, so that a storage node can
 * refuse a manifest that declares more before it fetches a byte. Each bound is the worst case of
 * the format (incompressible data), never a guess at what an encoder usually writes.
 */

/** Signature, IHDR and IEND, with a KiB of room for an encoder's ancillary chunks. */
const PNG_FRAME_BYTES = 8 + 25 + 12 + 1024;

/** The largest PNG of `width` × `height` pixels of `bytesPerPixel`, at any deflate level. */
export function maxPngBytes(width: number, height: number, bytesPerPixel: number): number {
  const raw = height * (1 + width * bytesPerPixel);
  // zlib's compressBound plus its header and checksum: deflate's output for incompressible data.
  const deflated = raw + Math.ceil(raw / 4096) + Math.ceil(raw / 16384) + 19;
  // At worst one IDAT chunk (12 bytes of length, type and CRC) per KiB: encoders write 8-64 KiB.
  return PNG_FRAME_BYTES + deflated + 12 * Math.ceil(deflated / 1024);
}

/**
 * The most one baseline 8×8 block takes entropy-coded: a DC code (16 bits) with 11 magnitude bits,
 * 63 AC codes (16 bits) with 10 each, and every byte of it stuffed (0xFF 0x00).
 */
const MAX_JPEG_BLOCK_BYTES = 2 * Math.ceil((16 + 11 + 63 * (16 + 10)) / 8);

/** The largest baseline JPEG fragment `index` of `layout` can be: its MCUs at worst, with its header. */
export function maxJpegFragmentBytes(layout: JpegLayout, index: number): number {
  const fragment = layout.fragments[index];
  if (fragment === undefined) return 0;
  const mcus = Math.ceil(fragment.width / layout.mcuWidth) * Math.ceil(fragment.height / layout.mcuHeight);
  const blocksPerMcu =
    layout.components.length === 1 ? 1 : layout.components.reduce((sum, c) => sum + c.h * c.v, 0);
  // A restart marker and a padding byte after each interval (of one MCU at the shortest).
  const restarts = layout.restartInterval > 0 ? 3 * mcus : 0;
  // The header, SOS and trailer a fragment copies from the original, counted as their base64 text
  // (longer than the bytes it encodes), and a KiB for the frame a fragment writes itself.
  const framing = layout.header.length + layout.sos.length + layout.trailer.length + 1024;
  return framing + mcus * blocksPerMcu * MAX_JPEG_BLOCK_BYTES + restarts;
}

/**
 * The largest file a pooling codec can make for one fragment of `width` × `height` pixels whatever
 * its codec and header, for a sealed (private) manifest whose codec section is encrypted: the
 * larger of a 16-bit RGBA PNG's bound and a JPEG's (up to 4 components, every MCU a restart
 * interval, framing up to `headerBytes`).
 */
export function maxAnyFragmentBytes(width: number, height: number, headerBytes: number): number {
  const png = maxPngBytes(width, height, 8);
  // MCUs are up to 32×32 pixels: rounding each side up adds at most 4 blocks of 8 to it.
  const blocks = 4 * (Math.ceil(width / 8) + 4) * (Math.ceil(height / 8) + 4);
  const jpeg = headerBytes + 1024 + blocks * (MAX_JPEG_BLOCK_BYTES + 3);
  return Math.max(png, jpeg);
}
