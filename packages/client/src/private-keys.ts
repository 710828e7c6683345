import { createCrypto } from "@disp/crypto";
import type { SealedContent } from "@disp/core";

import { keyHolders, wrapForAccounts, contentKeyFor, type WrappedKey } from "./content-keys.js";
import { accountOf, type ClientContext } from "./context.js";
import { ClientError } from "./errors.js";
import { imageIdOf } from "./image-id.js";
import type { OpenVersion } from "./open-version.js";
import { openSealed, type Visibility } from "./sealed.js";

/** A fresh content key for a private version; none for a public one. */
export async function newContentKeyFor(visibility: Visibility): Promise<Uint8Array | undefined> {
  return visibility === "private" ? (await createCrypto()).newContentKey() : undefined;
}

/**
 * Version 1's content key wrapped for the owner (the signer): its image id is known before the
 * registration (it derives from the registrant and the root), so the key goes in the same
 * transaction. CLIENT_NO_ENCRYPTION_KEY (from wrapForAccounts) before anything is uploaded.
 */
export async function keysForNewImage(
  context: ClientContext,
  root: string,
  contentKey: Uint8Array,
): Promise<WrappedKey[]> {
  const account = await accountOf(context);
  if (account === undefined) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      "storing a private image needs a signer: its key is wrapped for it",
    );
  }
  return wrapForAccounts(context, imageIdOf(account, root), 1n, contentKey, [account]);
}

/**
 * The next version's content key wrapped for everyone who holds the image's keys now (owner,
 * editors, readers), less `revoked` (a rotation's): what `addVersion` or `rotate` publishes.
 */
export async function keysForNextVersion(
  context: ClientContext,
  imageId: bigint,
  version: bigint,
  contentKey: Uint8Array,
  revoked: readonly string[],
): Promise<WrappedKey[]> {
  const out = new Set(revoked.map((account) => account.toLowerCase()));
  const holders = (await keyHolders(context, imageId)).filter((account) => !out.has(account.toLowerCase()));
  return wrapForAccounts(context, imageId, version, contentKey, holders);
}

/**
 * What a private version's rebuild decrypts with: the signer's content key (CLIENT_NOT_GRANTED
 * when none is wrapped for it, before any shard is fetched) and the sealed manifest it opens.
 * Undefined for a public version.
 */
export async function unsealFor(
  context: ClientContext,
  opened: Pick<OpenVersion, "info" | "version" | "manifest">,
): Promise<SealedContent | undefined> {
  if (opened.manifest.encryption === null) return undefined;
  const contentKey = await contentKeyFor(context, opened.info.imageId, opened.version);
  return openSealed(opened.manifest, contentKey);
}
