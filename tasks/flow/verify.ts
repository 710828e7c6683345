import { verifyImage, imageIdHex, type SlotEvidence, type VerifyReport } from "@disp/client";
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
      `image ${imageIdHex(imageId)} version ${report.version} (${report.visibility}): root ${report.root}, manifest ${report.manifestCid}, content hash ${report.contentHash}`,
    );
    if (report.fileMatches !== undefined) {
      console.log(`  ${args.file}: ${fileVerdict(report.fileFidelity)}`);
    }
    for (const slot of report.slots) {
      const marks = `${slot.status}, receipt ${slot.confirmed ? "yes" : "NO"}, proof ${slot.provenOnChain ? "accepted" : "REFUSED"}`;
      console.log(
        `  slot ${slot.slot}  ${slot.node}  ${marks}${slot.reason === undefined ? "" : ` (${slot.reason})`}`,
      );
    }
    const held = report.slots.filter((slot) => slot.status === "held").length;
    console.log(`  ${held}/${report.slots.length} slots held by their own node`);
  }
  if (!report.ok)
    throw new DispError(
      "VERIFY_FAILED",
      report.fileMatches === false
        ? `image ${imageIdHex(imageId)} version ${report.version}: ${args.file} is not this version's content`
        : `image ${imageIdHex(imageId)} version ${report.version}: ${failingSlots(report.slots)}`,
    );
});

/** The slots that keep the image from verifying, each with what is wrong with it. */
function failingSlots(slots: readonly SlotEvidence[]): string {
  const failing = slots.flatMap((slot) => {
    const wrong = [
      ...(slot.status === "held" ? [] : [slot.status]),
      ...(slot.confirmed ? [] : ["no receipt"]),
      ...(slot.provenOnChain ? [] : ["proof refused"]),
    ];
    return wrong.length === 0 ? [] : [`slot ${slot.slot} ${wrong.join(", ")}`];
  });
  return `not every slot holds its shard, confirmed and proven (${failing.join("; ")})`;
}

/** What the file given is of the version's content, by the fidelity its match proves. */
function fileVerdict(fidelity: VerifyReport["fileFidelity"]): string {
  if (fidelity === "fileExact") return "is this version's stored file, byte for byte (fileExact)";
  if (fidelity === "contentExact") return "has this version's content, in another file (contentExact)";
  return "is NOT this version's content";
}
