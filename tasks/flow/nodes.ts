import { nodeRecords, type NodeRecordEntry } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { given } from "../option-specs.js";
import { positive } from "../options.js";
import { openSession, requiredChallenges } from "./session.js";
import { jsonLine } from "./records-output.js";

interface NodesArgs {
  epochs: number;
  maxNodes: number;
  registry: string | undefined;
  challenges: string | undefined;
  json: boolean;
}

/** disp:nodes — every node the registry knows, with its status, slot and proof record. */
export default cliAction(async (args: NodesArgs, hre: HardhatRuntimeEnvironment) => {
  const epochs = positive(args.epochs, "epochs");
  const maxNodes = given(args.maxNodes);
  const session = await openSession(hre, args);
  const records = await nodeRecords(session, {
    challenges: requiredChallenges(session),
    epochs,
    ...(maxNodes === undefined ? {} : { maxNodes: positive(maxNodes, "max-nodes") }),
  });
  if (args.json) {
    console.log(jsonLine(records));
    return;
  }
  const rows = records.nodes.map(row);
  const header = ["node", "status", "community/slot", "answered", "missed", "last proof"];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((cells) => cells[i]?.length ?? 0)),
  );
  for (const cells of [header, ...rows]) {
    console.log(
      cells
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    );
  }
  console.log(
    `${records.nodes.length} nodes; last proofs looked for in blocks ${records.fromBlock}-${records.toBlock}${records.truncated ? " (truncated: raise --max-nodes or lower --epochs)" : ""}`,
  );
});

function row(entry: NodeRecordEntry): string[] {
  const place = entry.status === "serving" ? `${entry.communityId}/${entry.slot}` : "-";
  const last =
    entry.lastProof === undefined
      ? "-"
      : `epoch ${entry.lastProof.epoch} (block ${entry.lastProof.blockNumber})`;
  const streak = entry.missesInARow > 0n ? ` (${entry.missesInARow} in a row)` : "";
  return [entry.node, entry.status, place, String(entry.answered), `${entry.missed}${streak}`, last];
}
