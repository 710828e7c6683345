import { isAddress } from "ethers";

import { wrapHeldVersionsFor } from "./content-keys.js";
import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import { MAX_KEYS_PER_CALL, type Transacted, type WrappedKey } from "./registry/index.js";
import { imageIdHex } from "./image-id.js";

/**
 * Per-image access, as the registry records it. IPFS content is public by CID: a private image's
 * shards are ciphertext, and a grant of read or edit hands over the content key of every version
 * the owner holds one for, wrapped to the grantee's registered key, in the grant's own transaction;
 * so does an offer of ownership, for the account that will own the image once it accepts.
 * A revocation stops future wraps (the account leaves the readers, so no later version is wrapped
 * for it); what it already opened it keeps: only a new version under a new key shuts it out.
 */
export type AccessAction =
  | "grant-read"
  | "revoke-read"
  | "grant-editor"
  | "revoke-editor"
  /** Offers the image to the account; it owns it once it accepts. */
  | "transfer"
  /** The signer, offered the image, takes it: every earlier editor and read grant becomes void. */
  | "accept-ownership"
  | "make-public"
  | "make-private";

export interface AccessChange {
  readonly action: AccessAction;
  readonly imageId: bigint;
  /** The account concerned (for grants, revocations and transfers). */
  readonly account?: string;
  /** False when the registry already was in that state (no event, nothing changed). */
  readonly changed: boolean;
  readonly transactionHash: string;
  /** For a grant or an offer of a private image: the versions whose keys were wrapped for the account. */
  readonly wrappedVersions: readonly bigint[];
}

/**
 * Applies one access change as the registry's signer (the image owner). Granting read or edit on
 * a private image, or offering it to a new owner, wraps every version's key the owner holds for
 * that account (`encryptionKeys` in the context opens them), after refusing one with no registered key
 * (CLIENT_NO_ENCRYPTION_KEY) before anything is sent. The grant and the keys of the latest
 * MAX_KEYS_PER_CALL versions go in one transaction; older versions' keys follow in further
 * transactions of MAX_KEYS_PER_CALL each (running the grant again publishes any that did not land).
 */

export async function changeAccess(
  context: ChainContext,
  action: AccessAction,
  imageId: bigint,
  account?: string,
): Promise<AccessChange> {
  const { registry } = context;
  const needsAccount = action !== "make-public" && action !== "make-private" && action !== "accept-ownership";
  if (needsAccount && (account === undefined || !isAddress(account))) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `${action} needs an account address, got ${account ?? "none"}`,
    );
  }
  const target = account ?? "";
  // An offer to the signer itself cancels a pending one: nothing to hand over.
  const handsOverKeys =
    action === "grant-read" ||
    action === "grant-editor" ||
    (action === "transfer" && target.toLowerCase() !== (await registry.account())?.toLowerCase());
  const keys = handsOverKeys ? await wrapHeldVersionsFor(context, imageId, target) : [];
  const [first, ...rest] = chunks(keys);
  const sent: Transacted = await (() => {
    switch (action) {
      case "grant-read":
        return registry.grantRead(imageId, target, first);
      case "revoke-read":
        return registry.revokeRead(imageId, target);
      case "grant-editor":
        return registry.grantEditor(imageId, target, first);
      case "revoke-editor":
        return registry.revokeEditor(imageId, target);
      case "transfer":
        return registry.transferImageOwnership(imageId, target, first);
      case "accept-ownership":
        return registry.acceptImageOwnership(imageId);
      case "make-public":
        return registry.setPublic(imageId, true);
      case "make-private":
        return registry.setPublic(imageId, false);
    }
  })();
  for (const chunk of rest) await registry.publishKeys(imageId, chunk);
  return {
    action,
    imageId,
    ...(needsAccount ? { account: target } : {}),
    changed: sent.emitted,
    transactionHash: sent.transactionHash,
    wrappedVersions: keys.map((key) => key.version),
  };
}

/** `keys` in runs of at most MAX_KEYS_PER_CALL (one transaction each). */
function chunks(keys: readonly WrappedKey[]): WrappedKey[][] {
  const runs: WrappedKey[][] = [];
  for (let i = 0; i < keys.length; i += MAX_KEYS_PER_CALL) runs.push(keys.slice(i, i + MAX_KEYS_PER_CALL));
  return runs;
}

/** Fails with CLIENT_NO_READ_GRANT unless `account` may read the image (public, owner, editor, grant). */
export async function requireReadAccess(
  context: ChainContext,
  imageId: bigint,
  account: string,
): Promise<void> {
  if (!(await context.registry.canRead(imageId, account))) {
    throw new ClientError(
      "CLIENT_NO_READ_GRANT",
      `image ${imageIdHex(imageId)} is private and ${account} holds no read grant`,
    );
  }
}
