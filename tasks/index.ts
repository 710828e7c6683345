import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

import { flowTasks } from "./flow-tasks.js";

/**
 * Every DISP task, registered in hardhat.config.ts. Each definition is thin: it declares options and
 * lazily imports its action module, which parses the options and calls the client.
 */
export const dispTasks: TaskDefinition[] = [
  task("disp:split", "Split an image into pooling fragments and a manifest, offline")
    .addOption({
      name: "image",
      description: "Image file (PNG, JPEG, BMP, GIF, TIFF)",
      type: ArgumentType.FILE_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
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
    .addOption({
      name: "out",
      description: "Output directory",
      type: ArgumentType.FILE_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "chunkSize",
      description: "UnixFS chunk size in bytes for the CIDs (default 262144)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addFlag({ name: "json", description: "Print the manifest summary as JSON on the last line" })
    .setAction(() => import("./split.js"))
    .build(),
  task("disp:merge", "Rebuild an image from a split directory (estimating missing fragments), offline")
    .addOption({
      name: "dir",
      description: "Directory written by disp:split",
      type: ArgumentType.FILE_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "out",
      description:
        "Output file; its extension follows the result (.jpg or the original's when exact, else .png)",
      type: ArgumentType.FILE_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addFlag({ name: "json", description: "Print the result as JSON on the last line" })
    .setAction(() => import("./merge.js"))
    .build(),
  ...flowTasks,
];
