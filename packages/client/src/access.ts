import { isAddress } from "ethers";

import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import type { Transacted } from "./registry/index.js";
import { imageIdHex } from "./image-id.js";
import { keysForGrant } from "./private-keys.js";

/**
 * Per-image access, as the registry records it. IPFS content is public by CID: until fragments are
 * encrypted per grantee (a later step), these grants are advisory. The client honours them (a read
 * of a private image without a grant is refused), but anyone holding the CIDs can fetch the bytes.
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
}

/** Applies one access change as the registry's signer (the image owner). */
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
  const sent: Transacted = await (async () => {
    switch (action) {
      case "grant-read":
        return registry.grantRead(imageId, target, await keysForGrant(context, imageId, target));
      case "revoke-read":
        return registry.revokeRead(imageId, target);
      case "grant-editor":
        return registry.grantEditor(imageId, target, await keysForGrant(context, imageId, target));
      case "revoke-editor":
        return registry.revokeEditor(imageId, target);
      case "transfer":
        return registry.transferImageOwnership(imageId, target);
      case "accept-ownership":
        return registry.acceptImageOwnership(imageId);
      case "make-public":
        return registry.setPublic(imageId, true);
      case "make-private":
        return registry.setPublic(imageId, false);
    }
  })();
  return {
    action,
    imageId,
    ...(needsAccount ? { account: target } : {}),
    changed: sent.emitted,
    transactionHash: sent.transactionHash,
  };
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
      `image ${imageIdHex(imageId)} is private and ${account} holds no read grant (grants are advisory until fragments are encrypted)`,
    );
  }
}
