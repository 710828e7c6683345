import { formCommunity } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { positive } from "../options.js";
import { openSession } from "./session.js";

interface FormArgs {
  registry: string | undefined;
  from: string;
  size: number;
  json: boolean;
}

/** disp:community:form — a community of `size` from the free nodes, first come first served. */
export default cliAction(async (args: FormArgs, hre: HardhatRuntimeEnvironment) => {
  const size = positive(args.size, "size");
  const session = await openSession(hre, args);
  const community = await formCommunity(session, size);
  if (args.json) {
    console.log(
      JSON.stringify({ communityId: community.communityId.toString(), members: community.members }),
    );
    return;
  }
  console.log(`community ${community.communityId} formed`);
  community.members.forEach((member, slot) => console.log(`  slot ${slot}  ${member}`));
});
