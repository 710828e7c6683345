import { isCryptoError, type CryptoErrorCode } from "@disp/crypto";

/** The code of the CryptoError `promise` rejects with (a description of anything else). */
export async function cryptoCodeOf(promise: Promise<unknown>): Promise<CryptoErrorCode | string> {
  try {
    await promise;
  } catch (error) {
    return isCryptoError(error) ? error.code : `not a CryptoError: ${String(error)}`;
  }
  return "resolved";
}

/** `bytes` with one bit of byte `index` flipped. */
export function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}
