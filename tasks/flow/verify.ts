import { verifyImage, imageIdHex } from "@disp/client";
import { DispError } from "@disp/protocol";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, readInput } from "../cli.js";
import { given } from "../option-specs.js";
import { imageIdOption, positive } from "../options.js";
import { openSession, withClient } from "./session.js";

interface VerifyArgs {
  id: string | undefined;
  file: string | undefined;
  imageVersion: bigint;
  timeout: number;
  registry: string | undefined;
  ipfs: string | undefined;
  from: string;
  json: boolean;
}

/** disp:verify — the evidence per slot, without rebuilding; exits non-zero unless every slot holds. */
export default cliAction(async (args: VerifyArgs, hre: HardhatRuntimeEnvironment) => {
  const imageId = imageIdOption(args.id, "id");
  const version = given(args.imageVersion);
  const timeoutMs = positive(args.timeout, "timeout") * 1000;
  const file = args.file === undefined ? undefined : await readInput(args.file);
  const session = await openSession(hre, args);
  const report = await withClient(hre, session, args.ipfs, (client, onProgress) =>
    verifyImage(client, imageId, { version, file, timeoutMs, onProgress }),
  );
  if (args.json) {
    console.log(
      JSON.stringify(report, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
    );
  } else {
    console.log(
      `image ${imageIdHex(imageId)} version ${report.version}: root ${report.root}, manifest ${report.manifestCid}, content hash ${report.contentHash}`,
    );
    if (report.fileMatches !== undefined) {
      console.log(
        `  ${args.file}: ${report.fileMatches ? "is this version's content" : "is NOT this version's content"}`,
      );
    }
    for (const slot of report.slots) {
      const marks = `receipt ${slot.confirmed ? "yes" : "NO"}, fragment ${slot.valid ? "valid" : "INVALID"}, proof ${slot.provenOnChain ? "accepted" : "REFUSED"}`;
      console.log(
        `  slot ${slot.slot}  ${slot.node}  ${marks}${slot.reason === undefined ? "" : ` (${slot.reason})`}`,
      );
    }
  }
  if (!report.ok)
    throw new DispError(
      "VERIFY_FAILED",
      report.fileMatches === false
        ? `image ${imageIdHex(imageId)} version ${report.version}: ${args.file} is not this version's content`
        : `image ${imageIdHex(imageId)} version ${report.version}: not every slot holds a valid, proven, confirmed fragment`,
    );
});
