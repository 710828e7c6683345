import { imageIdHex, revokeWithRotation } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, TaskInputError } from "../cli.js";
import { imageIdOption, positive, required } from "../options.js";
import { accessAction, type AccessArgs } from "./access.js";
import { addressOf, openSession, withClient } from "./session.js";
import { printStored } from "./store.js";

interface RevokeArgs extends AccessArgs {
  rotate: boolean;
  timeout: number;
  ipfs: string | undefined;
}

const revokeOnly = accessAction("revoke");

/** A read grant revoked together with a new version of the content under a new key it does not get. */
const revokeRotating = cliAction(async (args: RevokeArgs, hre: HardhatRuntimeEnvironment) => {
  if (args.role !== "read")
    throw new TaskInputError(`--rotate revokes a read grant (--role read), not ${args.role}`);
  const imageId = imageIdOption(args.id, "id");
  const timeoutMs = positive(args.timeout, "timeout") * 1000;
  const session = await openSession(hre, args);
  const account = await addressOf(session.connection, required(args.account, "account"), "account");
  const rotated = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    revokeWithRotation(client, imageId, [account], { timeoutMs, onProgress }),
  );
  if (!args.json) {
    console.log(
      `image ${imageIdHex(imageId)}: read grant of ${account} revoked; version ${rotated.version} has a new content key it does not hold (what it downloaded before, it keeps)`,
    );
  }
  printStored(rotated, rotated.sourceBytes, args.json);
});

/** disp:revoke — read, editor or public (make private); with --rotate, the content re-keyed too. */
export default function revoke(args: RevokeArgs, hre: HardhatRuntimeEnvironment) {
  return args.rotate ? revokeRotating(args, hre) : revokeOnly(args, hre);
}
