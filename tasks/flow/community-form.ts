import { formCommunity, formCommunityWith } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { positive } from "../options.js";
import { addressOf, openSession } from "./session.js";

interface FormArgs {
  registry: string | undefined;
  from: string;
  size: number;
  nodes: string | undefined;
  json: boolean;
}

/** disp:community:form — a community of `size` from the front of the pool, or of the chosen nodes. */
export default cliAction(async (args: FormArgs, hre: HardhatRuntimeEnvironment) => {
  const size = positive(args.size, "size");
  const session = await openSession(hre, args);
  const community =
    args.nodes === undefined
      ? await formCommunity(session, size)
      : await formCommunityWith(
          session,
          await Promise.all(
            args.nodes.split(",").map((node) => addressOf(session.connection, node.trim(), "nodes")),
          ),
        );
  if (args.json) {
    console.log(
      JSON.stringify({ communityId: community.communityId.toString(), members: community.members }),
    );
    return;
  }
  console.log(`community ${community.communityId} formed`);
  community.members.forEach((member, slot) => console.log(`  slot ${slot}  ${member}`));
});
