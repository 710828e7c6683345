import { setUploader } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { TaskInputError, cliAction } from "../cli.js";
import { given } from "../option-specs.js";
import { required } from "../options.js";
import { addressOf, openSession } from "./session.js";

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
  const recorded = session.deployment.communityId;
  const communityId = given(args.community) ?? (recorded === undefined ? undefined : BigInt(recorded));
  if (communityId === undefined)
    throw new TaskInputError("missing --community (none is recorded for this network by disp:devnet)");
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
