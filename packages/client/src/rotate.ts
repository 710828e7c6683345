import { isAddress } from "ethers";

import type { ClientContext } from "./context.js";
import { ClientError } from "./errors.js";
import { imageIdHex } from "./image-id.js";
import { retrieveImage } from "./retrieve.js";
import type { EncodeOptions, StoreResult } from "./store.js";
import { addVersionOf } from "./update.js";

export type RotateOptions = Pick<EncodeOptions, "timeoutMs" | "onProgress" | "signal">;

/**
 * Revocation by rotation: the latest version's content (retrieved and decrypted by the signer, who
 * must get it back exact) stored again as a new private version under a new content key, wrapped
 * only for the key holders that remain, in one transaction with the revocation of `accounts`. The
 * revoked accounts keep the keys of the versions they were granted and whatever they downloaded;
 * they cannot read this version or any later one.
 */
export async function revokeWithRotation(
  context: ClientContext,
  imageId: bigint,
  accounts: readonly string[],
  options: RotateOptions = {},
): Promise<StoreResult & { readonly revoked: readonly string[] }> {
  if (accounts.length === 0 || !accounts.every((account) => isAddress(account))) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `a rotation revokes one or more accounts, got [${accounts.join(", ")}]`,
    );
  }
  const current = await retrieveImage(context, imageId, options);
  if (!current.exact) {
    throw new ClientError(
      "CLIENT_NOTHING_RETRIEVED",
      `image ${imageIdHex(imageId)} version ${current.version} came back ${current.fidelity} (shards lost: ${current.lost.join(", ")}): a rotation re-encrypts the exact content only`,
    );
  }
  const rotated = await addVersionOf(
    context,
    imageId,
    current.bytes,
    { ...options, visibility: "private" },
    accounts,
  );
  return { ...rotated, revoked: [...accounts] };
}
