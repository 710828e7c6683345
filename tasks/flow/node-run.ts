import { join } from "node:path";

import { createNodeAgent, imageIdHex, type AgentEvent } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { adviseHugePages, cliAction, untilInterrupted } from "../cli.js";
import { openIpfs, openSession, type Session } from "./session.js";

interface RunArgs {
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  state: string | undefined;
}

export function nodeIpfsDirectory(hre: HardhatRuntimeEnvironment, session: Session): string {
  return join(
    hre.config.paths.root,
    ".disp",
    session.networkName,
    `node-${session.account.address.toLowerCase()}`,
  );
}

export function agentStateFile(hre: HardhatRuntimeEnvironment, session: Session): string {
  return join(nodeIpfsDirectory(hre, session), "agent.json");
}

/** One line per agent event, for an operator's terminal or log. */
export function describeAgentEvent(event: AgentEvent): string {
  switch (event.type) {
    case "opted-in":
    case "info-updated":
      return `${event.type} as ${event.peerId}`;
    case "stored":
      return `keeps image ${imageIdHex(BigInt(event.task.imageId))} v${event.task.version} part ${event.task.fragment} (${event.cid}), receipt signed`;
    case "repaired":
      return `rebuilt image ${imageIdHex(BigInt(event.task.imageId))} v${event.task.version} part ${event.task.fragment} from parity (nobody served it); it has its leaf on chain`;
    case "failed":
      return `image ${imageIdHex(BigInt(event.task.imageId))} v${event.task.version} part ${event.task.fragment}: ${event.reason}${event.willRetry ? " (will retry)" : ""}`;
    case "quarantined":
      return `image ${imageIdHex(BigInt(event.task.imageId))} v${event.task.version} part ${event.task.fragment} quarantined, never retried: ${event.reason}`;
    case "synced":
      return `synced to block ${event.block}, ${event.pending} pending`;
    case "proved":
      return `answered ${event.count} storage challenge(s) of epoch ${event.epoch}`;
    case "unprovable":
      return `cannot answer the challenge of image ${imageIdHex(event.imageId)} v${event.version} slot ${event.slot}: ${event.reason}`;
    case "error":
      return `error: ${event.reason}`;
  }
}

/** disp:node:run — the storage node's agent, until Ctrl-C. */
export default cliAction(async (args: RunArgs, hre: HardhatRuntimeEnvironment) => {
  const session = await openSession(hre, args);
  const ipfs = await openIpfs(args.ipfs, nodeIpfsDirectory(hre, session));
  const agent = await createNodeAgent(
    { registry: session.registry, ipfs, fromBlock: session.fromBlock },
    {
      stateFile: args.state ?? agentStateFile(hre, session),
      onEvent: (event) => {
        if (event.type !== "synced")
          console.log(`[${new Date().toISOString()}] ${describeAgentEvent(event)}`);
      },
    },
  );
  await agent.start();
  adviseHugePages();
  await untilInterrupted(`agent of ${agent.address} running with IPFS peer ${ipfs.peerId}; Ctrl-C to stop`);
  await agent.stop();
  await ipfs.stop();
});
