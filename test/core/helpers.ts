import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { pseudoRandomBytes } from "@disp/devkit/random";
import type { RgbaImage } from "@disp/protocol";

export { pseudoRandomBytes };

/** Every fixture photograph (copied from ../shared/fixtures, see test/fixtures/LICENSES.md). */
export const FIXTURES = ["astronaut.png", "camera.png", "chelsea.png", "coffee.png", "rocket.jpg"] as const;

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(fixturePath(name));
}

/** An RGBA image of random pixels (alpha included). */
export function randomImage(width: number, height: number, seed: number): RgbaImage {
  return { width, height, data: pseudoRandomBytes(width * height * 4, seed) };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}
