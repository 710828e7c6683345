/**
 * Turns pixels as stored in a JPEG upright by its EXIF orientation (1..8), with jimp's transform
 * table, so that recovered pixels line up with what decodeImage (jimp) gives for the whole file.
 */
export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  const w = image.width;
  const h = image.height;
  const source: Record<number, (x: number, y: number) => [number, number]> = {
    2: (x, y) => [w - x - 1, y],
    3: (x, y) => [w - x - 1, h - y - 1],
    4: (x, y) => [x, h - y - 1],
    5: (x, y) => [y, x],
    6: (x, y) => [y, h - x - 1],
    7: (x, y) => [w - y - 1, h - x - 1],
    8: (x, y) => [w - y - 1, x],
  };
  const map = source[orientation];
  if (map === undefined) return image;
  const width = orientation > 4 ? h : w;
  const height = orientation > 4 ? w : h;
  // Whole pixels at a time; a view needs 4-byte alignment, which a copy guarantees.
  const bytes = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const from32 = new Uint32Array(bytes.buffer, bytes.byteOffset, w * h);
  const data = new Uint8Array(image.data.length);
  const to32 = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = map(x, y);
      to32[y * width + x] = from32[sy * w + sx] as number;
    }
  }
  return { width, height, data };
}
import { type RgbaImage } from "@disp/protocol";
