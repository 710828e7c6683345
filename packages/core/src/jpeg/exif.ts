/**
 * The EXIF orientation (1..8) from an APP1 segment's payload (after its length), or undefined when
 * the segment is not EXIF or has no valid Orientation tag. Viewers (and jimp) rotate the decoded
 * pixels by it; the coefficient codec keeps the pixels as stored and reports it.
 */
export function exifOrientation(bytes: Uint8Array, start: number, end: number): number | undefined {
  const exif = [0x45, 0x78, 0x69, 0x66, 0, 0];
  if (end - start < 14 || exif.some((b, i) => bytes[start + i] !== b)) return undefined;
  const tiff = start + 6;
  const little = bytes[tiff] === 0x49 && bytes[tiff + 1] === 0x49;
  const big = bytes[tiff] === 0x4d && bytes[tiff + 1] === 0x4d;
  if (!little && !big) return undefined;
  const u16 = (at: number) =>
    little ? (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) : ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  const u32 = (at: number) => (little ? u16(at) + u16(at + 2) * 65536 : u16(at) * 65536 + u16(at + 2));
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return undefined;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > end) return undefined;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}
