import { benchFlow, makeJpegPhoto, type FlowBenchResult } from "@disp/devkit";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, readInput } from "./cli.js";

interface BenchArgs {
  image: string | undefined;
}

const say = (line: string) => console.error(`• ${line}`);

/**
 * disp:bench:flow — DISP against full replication and plain IPFS on 4 embedded storage nodes (see
 * benchFlow in @disp/devkit). Default image: the 12-megapixel JPEG of makeJpegPhoto. Progress lines
 * go to stderr; the last stdout line is one JSON object.
 */
export default cliAction(async (args: BenchArgs, hre: HardhatRuntimeEnvironment) => {
  const imagePath = args.image ?? process.env.DISP_BENCH_IMAGE;
  say(
    imagePath === undefined
      ? "making the 12-megapixel JPEG from test/fixtures/rocket.jpg"
      : `image: ${imagePath}`,
  );
  const image = imagePath === undefined ? await makeJpegPhoto() : await readInput(imagePath);
  const connection = await hre.network.create();
  let result: FlowBenchResult;
  try {
    result = await benchFlow(connection, image, say);
  } finally {
    await connection.close();
  }
  if (!result.exact || !result.replicateExact || !result.plainExact) {
    say("a retrieval was NOT exact: the timings below do not describe a correct read");
    process.exitCode = 1;
  }
  console.log(JSON.stringify(result));
});
