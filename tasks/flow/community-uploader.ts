import { setUploader } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { required } from "../options.js";
import { addressOf, openSession, requiredCommunity } from "./session.js";

interface UploaderArgs {
  community: bigint;
  account: string | undefined;
  revoke: boolean;
  registry: string | undefined;
  from: string;
  json: boolean;
}

/** disp:community:uploader — list (or with --revoke, unlist) an account that may store on a community. */
export default cliAction(async (args: UploaderArgs, hre: HardhatRuntimeEnvironment) => {
  const session = await openSession(hre, args);
  const communityId = requiredCommunity(session, args.community);
  const account = await addressOf(session.connection, required(args.account, "account"), "account");
  const allowed = !args.revoke;
  const { transactionHash, emitted } = await setUploader(session, communityId, account, allowed);
  if (args.json) {
    console.log(
      JSON.stringify({
        communityId: communityId.toString(),
        account,
        allowed,
        changed: emitted,
        transactionHash,
      }),
    );
    return;
  }
  const change = allowed ? "may now store" : "may no longer store";
  console.log(
    `${account} ${emitted ? change : "unchanged:"} on community ${communityId}${emitted ? "" : ` (already ${allowed ? "listed" : "unlisted"})`}`,
  );
});
