import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

import { startWorld } from "@disp/devkit";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { TaskInputError, adviseHugePages, cliAction, untilInterrupted } from "../cli.js";
import { positive } from "../options.js";
import { writeDeployment } from "./deployment.js";
import { describeAgentEvent } from "./node-run.js";

interface DevnetArgs {
  nodes: number;
  dir: string;
  once: boolean;
  json: boolean;
}

/**
 * disp:devnet — on a local chain (`pnpm hardhat node`, then `--network localhost`): deploy, start
 * storage nodes with their agents, form a community, and record it in .disp/<network>.json so the
 * other tasks find it. Serves until Ctrl-C (or exits at once with --once).
 */
export default cliAction(async (args: DevnetArgs, hre: HardhatRuntimeEnvironment) => {
  const size = positive(args.nodes, "nodes");
  const connection = await hre.network.create();
  if (connection.networkConfig.type === "edr-simulated" && !args.once) {
    throw new TaskInputError(
      `disp:devnet serves a chain other commands can reach: start \`pnpm hardhat node\` and pass --network localhost`,
    );
  }
  const directory = resolve(args.dir);
  await clearDevnetDirectory(directory);
  // A fresh journal per devnet (removed on exit): its chain is gone when it stops.
  const deploymentId = `devnet-${Date.now()}`;
  const journal = resolve(hre.config.paths.ignition, "deployments", deploymentId);
  const world = await startWorld(connection, {
    directory,
    deploymentId,
    communitySize: size,
    onAgentEvent: (node, event) => {
      if (event.type !== "synced" && !args.json) console.log(`node ${node}: ${describeAgentEvent(event)}`);
    },
  });
  const file = await writeDeployment(hre.config.paths.root, connection.networkName, {
    chainId: world.chainId.toString(),
    registry: world.registryAddress,
    challenges: world.challengesAddress,
    fromBlock: world.fromBlock,
    communityId: world.communityId.toString(),
  });
  const users = world.users.slice(0, 3).map((user) => user.address);
  const summary = {
    network: connection.networkName,
    registry: world.registryAddress,
    challenges: world.challengesAddress,
    communityId: world.communityId.toString(),
    nodes: await Promise.all(
      world.nodes.map(async (node) => ({
        account: node.account.address,
        peerId: node.ipfs.peerId,
        addresses: await node.ipfs.addresses(),
      })),
    ),
    users,
    deployment: file,
  };
  if (args.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `registry ${summary.registry} (challenges ${summary.challenges}) on ${summary.network}; community ${summary.communityId} of ${size} nodes; written to ${file}`,
    );
    console.log(
      `try: pnpm hardhat disp:store --network ${summary.network} --image test/fixtures/rocket.jpg --from ${users[0] ?? 0}`,
    );
  }
  if (!args.once) {
    adviseHugePages();
    await untilInterrupted("serving; Ctrl-C to stop");
  }
  await world.stop();
  await rm(journal, { recursive: true, force: true });
});

/** Marks a directory as a devnet's, so that a later devnet may wipe it and nothing else. */
const MARKER = ".disp-devnet";

/** Empties `directory` for a new devnet, refusing one that holds anything but an old devnet. */
async function clearDevnetDirectory(directory: string): Promise<void> {
  const entries = await readdir(directory).catch((): string[] => []);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new TaskInputError(
      `--dir ${directory} is not empty and is not a devnet's: choose an empty or new directory`,
    );
  }
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  await writeFile(
    join(directory, MARKER),
    "written by disp:devnet; the next devnet may remove this directory\n",
  );
}
