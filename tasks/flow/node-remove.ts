import { removeFreeNode } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { required } from "../options.js";
import { addressOf, openSession } from "./session.js";

interface RemoveArgs {
  node: string | undefined;
  registry: string | undefined;
  from: string;
  json: boolean;
}

/** disp:node:remove — the manager evicts a free node from the pool. */
export default cliAction(async (args: RemoveArgs, hre: HardhatRuntimeEnvironment) => {
  const session = await openSession(hre, args);
  const node = await addressOf(session.connection, required(args.node, "node"), "node");
  await removeFreeNode(session, node);
  if (args.json) console.log(JSON.stringify({ removed: node }));
  else console.log(`${node} removed from the pool of free nodes`);
});
