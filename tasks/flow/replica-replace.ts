import { imageIdHex, replaceReplica } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { imageIdOption, required } from "../options.js";
import { addressOf, openSession } from "./session.js";

interface ReplaceArgs {
  id: string | undefined;
  index: number;
  node: string | undefined;
  registry: string | undefined;
  from: string;
  json: boolean;
}

/** disp:replica:replace — the owner repairs a replicated image onto another node. */
export default cliAction(async (args: ReplaceArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const session = await openSession(hre, args);
  const node = await addressOf(session.connection, required(args.node, "node"), "node");
  await replaceReplica(session, imageId, args.index, node);
  if (args.json) {
    console.log(JSON.stringify({ imageId: imageIdHex(imageId), index: args.index, node }));
    return;
  }
  console.log(
    `image ${imageIdHex(imageId)}: replica ${args.index} is now ${node}; its agent fetches and confirms every version`,
  );
});
