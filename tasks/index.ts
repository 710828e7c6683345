import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

import { flowTasks } from "./flow-tasks.js";
import { keyTasks } from "./keys.js";
import { requiredFile } from "./option-specs.js";

/**
 * Every DISP task, registered in hardhat.config.ts. Each definition is thin: it declares options,
 * typed by Hardhat where a type fits, and lazily imports its action module, which checks what the
 * types cannot (tasks/options.ts) and calls the client.
 */
export const dispTasks: TaskDefinition[] = [
  task("disp:split", "Split an image into pooling fragments and a manifest, offline")
    .addOption(requiredFile("image", "Image file (PNG, JPEG, BMP, GIF, TIFF)"))
    .addOption({
      name: "kernel",
      description: "Pooling kernel <rows>x<columns>, each 1..8",
      defaultValue: "2x2",
    })
    .addOption({
      name: "codec",
      description:
        "auto (JPEG coefficients when byte-exact, else pixels), png (pixels), jpeg (coefficients), file (whole file, no pooling)",
      defaultValue: "auto",
    })
    .addOption(requiredFile("out", "Output directory"))
    .addOption({
      name: "chunkSize",
      description: "UnixFS chunk size in bytes for the CIDs",
      type: ArgumentType.INT,
      // DEFAULT_UNIXFS.chunkSize of @disp/core, written out so that loading the config stays light
      // (a test checks they agree).
      defaultValue: 262_144,
    })
    .addOption({
      name: "parity",
      description: "Reed–Solomon parity shards beside the fragments (any m files may be lost); 0: none",
      type: ArgumentType.INT,
      defaultValue: 0,
    })
    .addFlag({ name: "json", description: "Print the manifest summary as JSON on the last line" })
    .setAction(() => import("./split.js"))
    .build(),
  task(
    "disp:merge",
    "Rebuild an image from a split directory (exact from any k of k + m shards, else estimated), offline",
  )
    .addOption(requiredFile("dir", "Directory written by disp:split"))
    .addOption(
      requiredFile(
        "out",
        "Output file; its extension follows the result (.jpg or the original's when exact, else .png)",
      ),
    )
    .addFlag({ name: "json", description: "Print the result as JSON on the last line" })
    .setAction(() => import("./merge.js"))
    .build(),
  ...flowTasks,
  ...keyTasks,
];
