import {
  addParity,
  chooseColorType,
  DEFAULT_PNG_FILTER,
  decodeImage,
  encodeImageFile,
  encodePng,
  type CodecChoice,
  type ProtectedImage,
} from "@disp/core";
import type { RgbaImage } from "@disp/protocol";

import { fixtureBytes } from "../helpers.js";

export { subsetsUpTo } from "../parity/helpers.js";

/** A kernel with a parity count, as the issue names them: "2x2+1". */
export interface ParityCase {
  readonly name: string;
  readonly kernel: { readonly height: number; readonly width: number };
  readonly m: number;
}

export const PARITY_CASES: readonly ParityCase[] = [
  { name: "2x2+1", kernel: { height: 2, width: 2 }, m: 1 },
  { name: "2x2+2", kernel: { height: 2, width: 2 }, m: 2 },
  { name: "3x3+3", kernel: { height: 3, width: 3 }, m: 3 },
  { name: "1x4+2", kernel: { height: 1, width: 4 }, m: 2 },
];

/** The top-left `width` × `height` of a fixture photograph, as a PNG: small enough to merge often. */
export async function croppedPng(name: string, width: number, height: number): Promise<Uint8Array> {
  const full = await decodeImage(fixtureBytes(name));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = y * full.width * 4;
    data.set(full.data.subarray(from, from + width * 4), y * width * 4);
  }
  const image: RgbaImage = { width, height, data };
  return encodePng(image, { colorType: chooseColorType(image), filter: DEFAULT_PNG_FILTER, deflateLevel: 6 });
}

export async function protect(
  source: Uint8Array,
  codec: CodecChoice,
  parity: ParityCase,
): Promise<ProtectedImage> {
  const encoded = await encodeImageFile(source, { kernel: parity.kernel, codec });
  return addParity(encoded, parity.m);
}

/** Every shard file of a protected image, in leaf order. */
export function allShards(image: ProtectedImage): Uint8Array[] {
  return [...image.fragments, ...image.parityShards].map((shard) => shard.bytes);
}

/** A copy of `bytes` with one byte changed in the middle: same length, other digest. */
export function tampered(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const at = Math.floor(copy.length / 2);
  copy[at] = (copy[at] ?? 0) ^ 0x5a;
  return copy;
}
