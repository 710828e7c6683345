import { createNodeAgent, NODE_STATUSES } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { agentStateFile, nodeIpfsDirectory } from "./node-run.js";
import { openIpfs, openSession } from "./session.js";

interface JoinArgs {
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  json: boolean;
}

/** disp:node:join — opt the node in with its IPFS peer id and addresses (or refresh them). */
export default cliAction(async (args: JoinArgs, hre: HardhatRuntimeEnvironment) => {
  const session = await openSession(hre, args);
  const ipfs = await openIpfs(args.ipfs, nodeIpfsDirectory(hre, session));
  try {
    const agent = await createNodeAgent(
      { registry: session.registry, ipfs, fromBlock: session.fromBlock },
      { stateFile: agentStateFile(hre, session) },
    );
    await agent.join();
    const info = await session.registry.nodeInfo(agent.address);
    const summary = {
      node: agent.address,
      peerId: info.peerId,
      multiaddrs: [...info.multiaddrs],
      status: NODE_STATUSES.indexOf(info.status),
    };
    if (args.json) console.log(JSON.stringify(summary));
    else console.log(`${summary.node} opted in as ${summary.peerId} (${summary.multiaddrs.join(", ")})`);
  } finally {
    await ipfs.stop();
  }
});
