/**
 * What an outsider can tell from bytes it fetched by CID: whether they are an image file, and
 * whether any WINDOW-byte run of a plaintext (a fragment as its codec wrote it) occurs in them.
 * Runs are found with a Rabin–Karp hash over every offset, each hit confirmed byte for byte.
 */
export const LEAK_WINDOW = 32;

const P1 = 67_108_859; // primes below 2^26: two hashes in one exact double
const P2 = 67_108_837;
const BASE = 257;

function power(modulus: number): number {
  let result = 1;
  for (let i = 1; i < LEAK_WINDOW; i++) result = (result * BASE) % modulus;
  return result;
}
const TOP1 = power(P1);
const TOP2 = power(P2);

/** Calls `visit(offset, hash)` for every LEAK_WINDOW-byte window of `bytes`, until it returns true. */
function eachWindow(bytes: Uint8Array, visit: (offset: number, hash: number) => boolean): void {
  if (bytes.length < LEAK_WINDOW) return;
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i < LEAK_WINDOW; i++) {
    h1 = (h1 * BASE + (bytes[i] ?? 0)) % P1;
    h2 = (h2 * BASE + (bytes[i] ?? 0)) % P2;
  }
  for (let at = 0; ; at++) {
    if (visit(at, h1 * P2 + h2) === true) return;
    const end = at + LEAK_WINDOW;
    if (end >= bytes.length) return;
    const out = bytes[at] ?? 0;
    const next = bytes[end] ?? 0;
    h1 = (((h1 - ((out * TOP1) % P1) + P1) % P1) * BASE + next) % P1;
    h2 = (((h2 - ((out * TOP2) % P2) + P2) % P2) * BASE + next) % P2;
  }
}

function sameWindow(a: Uint8Array, at: number, b: Uint8Array, bt: number): boolean {
  for (let i = 0; i < LEAK_WINDOW; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}

/** Whether any LEAK_WINDOW-byte run of any of `plaintexts` occurs in `fetched`. */
export function sharesPlaintext(fetched: Uint8Array, plaintexts: readonly Uint8Array[]): boolean {
  const index = new Map<number, number[]>();
  eachWindow(fetched, (offset, hash) => {
    const offsets = index.get(hash);
    if (offsets === undefined) index.set(hash, [offset]);
    else offsets.push(offset);
    return false;
  });
  for (const plaintext of plaintexts) {
    let found = false;
    eachWindow(plaintext, (offset, hash) => {
      found = (index.get(hash) ?? []).some((at) => sameWindow(fetched, at, plaintext, offset));
      return found;
    });
    if (found) return true;
  }
  return false;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` start as a JPEG (SOI) or a PNG (its signature) does. */
export function isImageFile(bytes: Uint8Array): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  return jpeg || PNG_SIGNATURE.every((byte, i) => bytes[i] === byte);
}
