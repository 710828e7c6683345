import { ENVELOPE_BYTES } from "@disp/crypto";
import { getBytes, hexlify, isAddress, type Interface } from "ethers";

import { ClientError } from "../errors.js";
import { imageIdHex } from "../image-id.js";
import type { DispRegistry } from "../typechain/index.js";
import type { Read } from "./logs.js";
import type { WrappedKey } from "./types.js";

/**
 * The registry's wrapped content keys (IImageKeys): the `publishKeys` calls that ride in a
 * multicall after a registration, grant or new version, and the one-block read of an envelope.
 */

/** The registry's MAX_KEYS_PER_CALL: the most keys one transaction of the client carries. */
export const MAX_KEYS_PER_CALL = 64;

/**
 * The encoded `publishKeys` calls for `keys` of `imageId`, one per version. Fails with
 * CLIENT_INVALID_INPUT on more than MAX_KEYS_PER_CALL keys, a bad account or an envelope of another
 * length than ENVELOPE_BYTES: the registry would refuse them, and nothing is sent.
 */
export function publishKeysCalls(iface: Interface, imageId: bigint, keys: readonly WrappedKey[]): string[] {
  if (keys.length > MAX_KEYS_PER_CALL) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `one transaction publishes at most ${MAX_KEYS_PER_CALL} wrapped keys, not ${keys.length}`,
    );
  }
  const byVersion = new Map<bigint, WrappedKey[]>();
  for (const key of keys) {
    if (!isAddress(key.account) || key.envelope.length !== ENVELOPE_BYTES || key.version < 1n) {
      throw new ClientError(
        "CLIENT_INVALID_INPUT",
        `a wrapped key is an account, a version >= 1 and a ${ENVELOPE_BYTES}-byte envelope; got ${key.account}, ${key.version}, ${key.envelope.length} bytes`,
      );
    }
    byVersion.set(key.version, [...(byVersion.get(key.version) ?? []), key]);
  }
  return [...byVersion].map(([version, group]) =>
    iface.encodeFunctionData("publishKeys", [
      imageId,
      version,
      group.map((key) => key.account),
      group.map((key) => hexlify(key.envelope)),
    ]),
  );
}

/** Fails with CLIENT_INVALID_INPUT unless every key is for `version` (the one the call creates). */
export function requireKeysFor(keys: readonly WrappedKey[], version: bigint, imageId: bigint): void {
  const other = keys.find((key) => key.version !== version);
  if (other !== undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `the call creates version ${version} of image ${imageIdHex(imageId)}, but a key is wrapped for version ${other.version}`,
    );
  }
}

/**
 * `account`'s envelope for the version, read from the one block the registry recorded
 * (`keyBlock`); undefined when none was published. The log must carry the three topics asked for
 * and an envelope of ENVELOPE_BYTES, else CLIENT_KEY_MISMATCH: the node served something else.
 */
export async function wrappedKeyAt(
  contract: DispRegistry,
  read: Read,
  imageId: bigint,
  version: bigint,
  account: string,
): Promise<Uint8Array | undefined> {
  const block = Number(await read(() => contract.keyBlock(imageId, version, account)));
  if (block === 0) return undefined;
  const logs = await read(() =>
    contract.queryFilter(contract.filters.KeyWrapped(imageId, version, account), block, block),
  );
  // Two publications in one block: the later log is the latest wrap.
  const log = logs.sort((a, b) => a.index - b.index).at(-1);
  const bad = (why: string) =>
    new ClientError(
      "CLIENT_KEY_MISMATCH",
      `the wrapped key of ${account} for version ${version} of image ${imageIdHex(imageId)} in block ${block} ${why}`,
    );
  if (log === undefined) throw bad("is not in that block's logs");
  if (
    log.args.imageId !== imageId ||
    log.args.version !== version ||
    log.args.account.toLowerCase() !== account.toLowerCase()
  ) {
    throw bad("is in a log of another grant");
  }
  const envelope = getBytes(log.args.envelope);
  if (envelope.length !== ENVELOPE_BYTES) throw bad(`is ${envelope.length} bytes, not ${ENVELOPE_BYTES}`);
  return envelope;
}
