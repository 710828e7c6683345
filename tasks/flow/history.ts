import { imageHistory } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { imageIdOption } from "../options.js";
import { openSession } from "./session.js";

interface HistoryArgs {
  id: string | undefined;
  registry: string | undefined;
  json: boolean;
}

/** disp:history — an image's audit trail from the chain. */
export default cliAction(async (args: HistoryArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const session = await openSession(hre, args);
  const entries = await imageHistory(session, imageId);
  if (args.json) {
    console.log(JSON.stringify(entries));
    return;
  }
  for (const entry of entries) {
    const when = new Date(entry.timestamp * 1000).toISOString();
    const version = entry.version === undefined ? "" : ` v${entry.version}`;
    const details = Object.entries(entry.args)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(" ");
    console.log(`${when}  block ${entry.blockNumber}  ${entry.event}${version}  ${details}`);
  }
});
