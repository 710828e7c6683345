import { imageHistory, proofHistory, type ProofHistory } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { TaskInputError, cliAction } from "../cli.js";
import { given } from "../option-specs.js";
import { imageIdOption, positive } from "../options.js";
import { jsonLine, printHistory, recordLines, type HistoryLine } from "./records-output.js";
import { addressOf, openSession, requiredChallenges, type Session } from "./session.js";

interface HistoryArgs {
  id: string | undefined;
  node: string | undefined;
  epochs: number;
  fromBlock: number;
  toBlock: number;
  registry: string | undefined;
  challenges: string | undefined;
  json: boolean;
}

/**
 * disp:history — an image's audit trail from the chain with its proofs and misses (--id), or a
 * storage node's proofs, misses and repairs (--node); records over the last --epochs epochs unless
 * --from-block says where to start.
 */
export default cliAction(async (args: HistoryArgs, hre: HardhatRuntimeEnvironment) => {
  if ((args.id === undefined) === (args.node === undefined)) {
    throw new TaskInputError("give either --id <image> or --node <address>");
  }
  const imageId = args.id === undefined ? undefined : imageIdOption(args.id, "id");
  const epochs = positive(args.epochs, "epochs");
  const session = await openSession(hre, args);
  const node = args.node === undefined ? undefined : await addressOf(session.connection, args.node, "node");
  const records = (challenges: string) =>
    proofHistory(session, {
      challenges,
      epochs,
      ...blockRange(args),
      ...(node === undefined ? {} : { node }),
      ...(imageId === undefined ? {} : { imageId }),
    });
  let lines: HistoryLine[];
  let proofs: ProofHistory | undefined;
  if (imageId === undefined) {
    proofs = await records(requiredChallenges(session));
    lines = await recordLines(session.registry, proofs.events);
  } else {
    lines = await imageHistory(session, imageId);
    // Without a challenge contract the audit trail is still the image's whole history.
    proofs = session.challenges === undefined ? undefined : await records(session.challenges);
    if (proofs !== undefined) lines = merged(lines, await recordLines(session.registry, proofs.events));
  }
  if (args.json) {
    console.log(jsonLine(lines));
    return;
  }
  printHistory(lines);
  console.log(footer(session, proofs));
});

function blockRange(args: HistoryArgs): { fromBlock?: number; toBlock?: number } {
  const fromBlock = given(args.fromBlock);
  const toBlock = given(args.toBlock);
  return {
    ...(fromBlock === undefined ? {} : { fromBlock }),
    ...(toBlock === undefined ? {} : { toBlock }),
  };
}

/** Both lists oldest first, as one. */
function merged(a: readonly HistoryLine[], b: readonly HistoryLine[]): HistoryLine[] {
  return [...a, ...b].sort((x, y) => x.blockNumber - y.blockNumber || x.logIndex - y.logIndex);
}

function footer(session: Session, proofs: ProofHistory | undefined): string {
  if (proofs === undefined) return "(no storage-challenge contract known: pass --challenges to see proofs)";
  const counts = { proofs: 0, misses: 0, repairs: 0 };
  for (const event of proofs.events) {
    if (event.kind === "proof") counts.proofs++;
    else if (event.kind === "miss") counts.misses++;
    else counts.repairs++;
  }
  const truncated = proofs.truncated ? "; older ones left out (narrow --from-block)" : "";
  return `${counts.proofs} proofs, ${counts.misses} misses, ${counts.repairs} repairs needed in blocks ${proofs.fromBlock}-${proofs.toBlock} of ${session.challenges}${truncated}`;
}
