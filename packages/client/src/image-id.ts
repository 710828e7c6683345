import { AbiCoder, keccak256 } from "ethers";

/**
 * The id the registry gives an image registered by `registrant` with version 1's root `root`:
 * `uint256(keccak256(abi.encode(registrant, root)))`, as `imageIdOf` computes it on chain.
 */
export function imageIdOf(registrant: string, root: string): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [registrant, root])));
}

/** How users see and type an image id: 0x and 64 hex digits. */
export function imageIdHex(imageId: bigint): string {
  return `0x${imageId.toString(16).padStart(64, "0")}`;
}

/**
 * An image id as a user typed it: 0x-prefixed hex (as shown) or decimal. Undefined when it is
 * neither or does not fit in 256 bits.
 */
export function parseImageId(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (!/^(0x[0-9a-fA-F]{1,64}|\d{1,78})$/.test(trimmed)) return undefined;
  const id = BigInt(trimmed);
  return id < 2n ** 256n ? id : undefined;
}
