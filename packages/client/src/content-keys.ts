import { createCrypto, isCryptoError, type EncryptionKeyPair, type EnvelopeBinding } from "@disp/crypto";
import { getAddress, getBytes } from "ethers";

import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import { imageIdHex } from "./image-id.js";
import { deriveEncryptionKeyPair, requireEncryptionKey, type KeyLookup, type KeySigner } from "./keys.js";
import type { WrappedKey } from "./registry/index.js";

export type { WrappedKey } from "./registry/index.js";

/**
 * The content keys of private images' versions, as the accounts that may read them hold them: each
 * wrapped to the account's registered X25519 key and published on the registry (IImageKeys), found
 * again in the one block the registry recorded for it.
 */

/**
 * The signer's key pair, derived from its wallet's signature on first use and then kept: what a
 * ClientContext's `encryptionKeys` holds. A failed derivation is not kept, so a retry asks again.
 */
export function encryptionKeysOf(signer: KeySigner): () => Promise<EncryptionKeyPair> {
  let pair: Promise<EncryptionKeyPair> | undefined;
  return () => {
    pair ??= deriveEncryptionKeyPair(signer).catch((error: unknown) => {
      pair = undefined;
      throw error;
    });
    return pair;
  };
}

/**
 * Everyone who may hold the image's content keys now: its owner, editors and readers of the
 * current grant epoch, each once (addresses compared without case), the owner first.
 */
export async function keyHolders(context: ChainContext, imageId: bigint): Promise<string[]> {
  const { registry } = context;
  const [info, editors, readers] = await Promise.all([
    registry.imageInfo(imageId),
    registry.editors(imageId),
    registry.readers(imageId),
  ]);
  return distinctAccounts([info.owner, ...editors, ...readers]);
}

/**
 * The content key of the version wrapped for each account (distinct accounts, in order), to its
 * registered key: CLIENT_NO_ENCRYPTION_KEY naming `disp:keys:register` when one has none, before
 * anything is wrapped.
 */
export async function wrapForAccounts(
  context: ChainContext,
  imageId: bigint,
  version: bigint,
  contentKey: Uint8Array,
  accounts: readonly string[],
): Promise<WrappedKey[]> {
  const lookup = keyLookupOf(context);
  const recipients = await Promise.all(
    distinctAccounts(accounts).map(async (account) => ({
      account,
      publicKey: getBytes(await requireEncryptionKey(lookup, account)),
    })),
  );
  const crypto = await createCrypto();
  const binding = await bindingOf(context, imageId, version);
  return Promise.all(
    recipients.map(async ({ account, publicKey }) => ({
      version,
      account,
      envelope: await crypto.wrapContentKey(contentKey, publicKey, { ...binding, grantee: account }),
    })),
  );
}

/**
 * The content key of the version, opened with the context's key pair (`encryptionKeys`, else
 * CLIENT_INVALID_INPUT): CLIENT_NOT_GRANTED when no envelope was published for the signer,
 * CLIENT_KEY_MISMATCH (the crypto error as its cause) when the envelope fails its GCM tag.
 */
export async function contentKeyFor(
  context: ChainContext,
  imageId: bigint,
  version: bigint,
): Promise<Uint8Array> {
  const { registry, encryptionKeys } = context;
  if (encryptionKeys === undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      "reading a private image needs the signer's encryption keys: the client context has no encryptionKeys",
    );
  }
  const account = await registry.account();
  if (account === undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      "reading a private image needs a signer, not a read-only registry",
    );
  }
  const envelope = await registry.wrappedKey(imageId, version, account);
  if (envelope === undefined) {
    throw new ClientError(
      "CLIENT_NOT_GRANTED",
      `not granted: no content key of version ${version} of image ${imageIdHex(imageId)} is wrapped for ${account}`,
    );
  }
  const [crypto, pair, binding] = await Promise.all([
    createCrypto(),
    encryptionKeys(),
    bindingOf(context, imageId, version),
  ]);
  try {
    return await crypto.unwrapContentKey(envelope, pair, { ...binding, grantee: account });
  } catch (error) {
    if (!isCryptoError(error)) throw error;
    throw new ClientError(
      "CLIENT_KEY_MISMATCH",
      `the content key of version ${version} of image ${imageIdHex(imageId)} wrapped for ${account} does not open with its key (changed, or wrapped to another key): ${error.message}`,
      { cause: error },
    );
  }
}

/**
 * Every version's content key the signer holds, wrapped for `account`, latest version first: what
 * granting a private image hands over. A version is private when the signer (the owner, who gets
 * every version's key) holds a wrapped key for it; public versions give none. The account's
 * registered key is checked before anything is opened (CLIENT_NO_ENCRYPTION_KEY).
 */
export async function wrapHeldVersionsFor(
  context: ChainContext,
  imageId: bigint,
  account: string,
): Promise<WrappedKey[]> {
  const { registry } = context;
  const signer = await registry.account();
  if (signer === undefined) return [];
  const { versionCount } = await registry.imageInfo(imageId);
  const held: bigint[] = [];
  for (let from = versionCount; from >= 1n; from -= KEY_READS_AT_ONCE) {
    const batch: bigint[] = [];
    for (let version = from; version >= 1n && version > from - KEY_READS_AT_ONCE; version--)
      batch.push(version);
    const blocks = await Promise.all(batch.map((version) => registry.keyBlock(imageId, version, signer)));
    held.push(...batch.filter((_, i) => blocks[i] !== 0));
  }
  if (held.length === 0) return [];
  await requireEncryptionKey(keyLookupOf(context), account);
  const keys: WrappedKey[] = [];
  for (const version of held) {
    const contentKey = await contentKeyFor(context, imageId, version);
    keys.push(...(await wrapForAccounts(context, imageId, version, contentKey, [account])));
  }
  return keys;
}

/** How many versions' key blocks are read at once. */
const KEY_READS_AT_ONCE = 32n;

function keyLookupOf({ registry }: ChainContext): KeyLookup {
  return { keyOf: (account) => registry.encryptionKeyOf(account) };
}

async function bindingOf(
  context: ChainContext,
  imageId: bigint,
  version: bigint,
): Promise<Omit<EnvelopeBinding, "grantee">> {
  return { chainId: await context.registry.chainId(), registry: context.registry.address, imageId, version };
}

/** Each account once, checksummed, in first-seen order. */
function distinctAccounts(accounts: readonly string[]): string[] {
  const seen = new Set<string>();
  const distinct: string[] = [];
  for (const account of accounts) {
    const checksummed = getAddress(account);
    if (seen.has(checksummed)) continue;
    seen.add(checksummed);
    distinct.push(checksummed);
  }
  return distinct;
}
