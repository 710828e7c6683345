import { repairSlot } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { given } from "../option-specs.js";
import { positive, required } from "../options.js";
import { progressBar } from "../progress-bar.js";
import { addressOf, openSession, requiredCommunity } from "./session.js";

interface RepairArgs {
  community: bigint;
  slot: number;
  node: string | undefined;
  noWait: boolean;
  timeout: number;
  registry: string | undefined;
  from: string;
  json: boolean;
}

/**
 * disp:repair — the manager gives a lost member's slot to a free node; its agent rebuilds the
 * slot's shard of every image and version from any k other members, checks it against the leaf
 * on chain and confirms. Waits for those receipts unless told not to.
 */
export default cliAction(async (args: RepairArgs, hre: HardhatRuntimeEnvironment) => {
  const session = await openSession(hre, args);
  const communityId = requiredCommunity(session, args.community);
  const slot = required(given(args.slot), "slot");
  const node = args.node === undefined ? undefined : await addressOf(session.connection, args.node, "node");
  const timeoutMs = positive(args.timeout, "timeout") * 1000;
  const bar = progressBar();
  const result = await repairSlot(session, communityId, slot, {
    ...(node === undefined ? {} : { node }),
    wait: !args.noWait,
    timeoutMs,
    onProgress: bar.onProgress,
  }).finally(() => bar.stop());
  if (args.json) {
    console.log(
      JSON.stringify({
        communityId: communityId.toString(),
        slot,
        removed: result.removed,
        node: result.node,
        versions: result.versions,
        confirmed: result.confirmed,
      }),
    );
    return;
  }
  console.log(`community ${communityId} slot ${slot}: ${result.removed} replaced by ${result.node}`);
  console.log(
    result.confirmed
      ? `  its shard of all ${result.versions} versions rebuilt, checked against the chain and confirmed`
      : `  its agent now rebuilds its shard of ${result.versions} versions from the other members (disp:verify shows when)`,
  );
});
