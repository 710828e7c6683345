import type { ChainContext } from "./context.js";
import { ClientError } from "./errors.js";
import type { Transacted } from "./registry/index.js";

/**
 * Lets `account` store images and add versions on a community, or stops it (`allowed` false).
 * Needs the community manager role; checked first so that a missing role is one clear error.
 * Accounts already able to (the list, or a manager) change nothing and emit nothing.
 */
export async function setUploader(
  context: ChainContext,
  communityId: bigint,
  account: string,
  allowed: boolean,
): Promise<Transacted> {
  const { registry } = context;
  const manager = await registry.account();
  if (manager === undefined || !(await registry.isCommunityManager(manager))) {
    throw new ClientError(
      "CLIENT_NOT_AUTHORIZED",
      `${manager ?? "a read-only client"} lacks the community manager role: only a manager lists uploaders`,
    );
  }
  return registry.setUploader(communityId, account, allowed);
}
