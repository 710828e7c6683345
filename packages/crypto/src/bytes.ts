import { CryptoError } from "./errors.js";

/** Byte helpers for the fixed-width fields of the derivations (big-endian, as Solidity encodes). */

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A whole number in 0..2^32-1 as 4 big-endian bytes. */
export function uint32(value: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new CryptoError(
      "CRYPTO_INVALID_INPUT",
      `${what} must be a whole number in 0..2^32-1, got ${value}`,
    );
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** A whole number in 0..2^256-1 as 32 big-endian bytes (a Solidity uint256). */
export function uint256(value: bigint, what: string): Uint8Array {
  if (value < 0n || value >= 1n << 256n) {
    throw new CryptoError("CRYPTO_INVALID_INPUT", `${what} must be in 0..2^256-1, got ${value}`);
  }
  const out = new Uint8Array(32);
  let rest = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** An address (0x and 40 hex digits, any case) as its 20 bytes. */
export function address(value: string, what: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new CryptoError(
      "CRYPTO_INVALID_INPUT",
      `${what} must be an address (0x and 40 hex digits), got "${value}"`,
    );
  }
  return hexToBytes(value.slice(2));
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Fails unless `bytes` is exactly `length` long. */
export function exactLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) {
    throw new CryptoError("CRYPTO_INVALID_INPUT", `${what} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}
