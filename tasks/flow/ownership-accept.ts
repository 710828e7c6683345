import { changeAccess, imageIdHex } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { imageIdOption } from "../options.js";
import { openSession } from "./session.js";

interface AcceptArgs {
  id: string | undefined;
  registry: string | undefined;
  from: string;
  json: boolean;
}

/** disp:ownership:accept — the account offered an image takes it; earlier grants become void. */
export default cliAction(async (args: AcceptArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const session = await openSession(hre, args);
  const change = await changeAccess(session, "accept-ownership", imageId);
  if (args.json) {
    console.log(JSON.stringify({ ...change, imageId: imageIdHex(imageId), owner: session.account.address }));
    return;
  }
  console.log(
    `image ${imageIdHex(imageId)} now belongs to ${session.account.address} (${change.transactionHash}); ` +
      "every earlier editor and read grant is void: grant afresh with disp:grant",
  );
});
