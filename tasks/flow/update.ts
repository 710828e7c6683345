import { parseKernel } from "@disp/core";
import { updateImage } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, readInput } from "../cli.js";
import { given } from "../option-specs.js";
import { codecOption, imageIdOption, positive, required } from "../options.js";
import { openSession, withClient } from "./session.js";
import { printStored } from "./store.js";

interface UpdateArgs {
  id: string | undefined;
  image: string | undefined;
  kernel: string | undefined;
  parity: number;
  codec: string;
  timeout: number;
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  json: boolean;
}

/** disp:update — add a version to an image, kept like the image is kept. */
export default cliAction(async (args: UpdateArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const bytes = await readInput(required(args.image, "image"));
  const codec = codecOption(args.codec);
  const kernel = args.kernel === undefined ? undefined : parseKernel(args.kernel);
  const timeoutMs = positive(args.timeout, "timeout") * 1000;
  const session = await openSession(hre, args);
  const result = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    updateImage(client, imageId, bytes, { kernel, parity: given(args.parity), codec, timeoutMs, onProgress }),
  );
  printStored(result, bytes.length, args.json);
});
