import { updateImage } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, readInput } from "../cli.js";
import { imageIdOption, required } from "../options.js";
import { openSession, withClient } from "./session.js";
import { encodeOptionsOf, printStored } from "./store.js";

interface UpdateArgs {
  id: string | undefined;
  image: string | undefined;
  kernel: string | undefined;
  parity: number;
  codec: string;
  visibility: string | undefined;
  timeout: number;
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  json: boolean;
}

/** disp:update — add a version to an image, kept like the image is kept (a private one under a new key). */
export default cliAction(async (args: UpdateArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const bytes = await readInput(required(args.image, "image"));
  const encoding = encodeOptionsOf(args);
  const session = await openSession(hre, args);
  const result = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    updateImage(client, imageId, bytes, { ...encoding, onProgress }),
  );
  printStored(result, bytes.length, args.json);
});
