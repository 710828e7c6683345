import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

const optional = { type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined } as const;
const json = { name: "json", description: "Print the result as JSON on the last line" } as const;
const registry = {
  name: "registry",
  description: "DispRegistry address (default: from .disp/<network>.json)",
  ...optional,
} as const;
const ipfs = {
  name: "ipfs",
  description:
    "Your IPFS node: a Kubo RPC URL (http://127.0.0.1:5001) or a directory for an embedded node (default: .disp/<network>/ipfs)",
  ...optional,
} as const;
const from = {
  name: "from",
  description: "Account to act as: an address or an index into the network's accounts (default 0)",
  ...optional,
} as const;
const imageId = { name: "id", description: "Image id", ...optional } as const;

const kernel = {
  name: "kernel",
  description: "Pooling kernel (default: from the community size)",
  ...optional,
} as const;
const codec = { name: "codec", description: "auto | png | jpeg", defaultValue: "auto" } as const;
const receiptTimeout = {
  name: "timeout",
  description: "Seconds to wait for every storage receipt",
  defaultValue: "120",
} as const;
const imageVersion = {
  name: "imageVersion",
  description: "Image version (default: the latest)",
  ...optional,
} as const;
const fetchTimeout = {
  name: "timeout",
  description: "Seconds to wait for each fragment",
  defaultValue: "30",
} as const;

/** The tasks of the whole flow: nodes, communities, images, access, and the local devnet and demo. */
export const flowTasks: TaskDefinition[] = [
  task("disp:demo", "Run the whole product on the in-process network with embedded IPFS nodes")
    .addOption({
      name: "image",
      description: "Photograph to store (default: test/fixtures/rocket.jpg)",
      ...optional,
    })
    .addOption({
      name: "kernel",
      description: "Pooling kernel <rows>x<columns>: the community size",
      defaultValue: "2x2",
    })
    .addOption({ name: "out", description: "Output directory for the pictures", defaultValue: "demo-out" })
    .setAction(() => import("./demo.js"))
    .build(),
  task("disp:bench:flow", "Benchmark store and retrieve: DISP against full replication and plain IPFS")
    .addOption({
      name: "image",
      description: "Image to store (default: $DISP_BENCH_IMAGE, else a 12-megapixel JPEG from a fixture)",
      ...optional,
    })
    .setAction(() => import("./bench-flow.js"))
    .build(),
  task("disp:devnet", "Deploy to a local chain, start storage nodes with their agents and form a community")
    .addOption({ name: "nodes", description: "Community size (number of storage nodes)", defaultValue: "4" })
    .addOption({ name: "dir", description: "Where the nodes keep their state", defaultValue: ".disp/devnet" })
    .addFlag({
      name: "once",
      description: "Set everything up, print it and exit instead of serving until Ctrl-C",
    })
    .addFlag(json)
    .setAction(() => import("./flow/devnet.js"))
    .build(),
  task("disp:node:join", "Opt a storage node in (or update its published addresses)")
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/node-join.js"))
    .build(),
  task(
    "disp:node:run",
    "Run a storage node's agent: keep what its community slot or replicas need, until Ctrl-C",
  )
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addOption({
      name: "state",
      description: "Agent state file (default: .disp/<network>/agent-<address>.json)",
      ...optional,
    })
    .setAction(() => import("./flow/node-run.js"))
    .build(),
  task("disp:community:form", "Form a community from the free opted-in nodes (community manager only)")
    .addOption(registry)
    .addOption(from)
    .addOption({ name: "size", description: "Community size (2..64)", defaultValue: "4" })
    .addFlag(json)
    .setAction(() => import("./flow/community-form.js"))
    .build(),
  task("disp:store", "Store an image with a community (DISP) or by full replication")
    .addOption({ name: "image", description: "Image file", ...optional })
    .addOption({
      name: "community",
      description: "Community id (default: from .disp/<network>.json)",
      ...optional,
    })
    .addOption({ name: "mode", description: "disp | replicate", defaultValue: "disp" })
    .addOption({
      name: "replicas",
      description: "replicate: how many nodes keep the whole file",
      ...optional,
    })
    .addOption(kernel)
    .addOption(codec)
    .addOption(receiptTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/store.js"))
    .build(),
  task("disp:update", "Add a version to an image (owner or editor)")
    .addOption(imageId)
    .addOption({ name: "image", description: "Image file of the new version", ...optional })
    .addOption(kernel)
    .addOption(codec)
    .addOption(receiptTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/update.js"))
    .build(),
  task("disp:retrieve", "Fetch, verify and rebuild an image version from the network")
    .addOption(imageId)
    .addOption(imageVersion)
    .addOption({
      name: "out",
      description: "Output file (its extension follows the codec if omitted)",
      ...optional,
    })
    .addOption(fetchTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/retrieve.js"))
    .build(),
  task(
    "disp:verify",
    "Check every slot of a version: receipt, fragment fetched and valid, proof accepted on chain",
  )
    .addOption(imageId)
    .addOption({
      name: "file",
      description: "A file to prove is this version's content (its SHA-256 or pixel hash)",
      ...optional,
    })
    .addOption(imageVersion)
    .addOption(fetchTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/verify.js"))
    .build(),
  task("disp:history", "Every version and access event of an image, from the chain")
    .addOption(imageId)
    .addOption(registry)
    .addFlag(json)
    .setAction(() => import("./flow/history.js"))
    .build(),
  task("disp:grant", "Grant read or edit access, transfer ownership, or make an image public (owner only)")
    .addOption(imageId)
    .addOption({ name: "account", description: "Account to grant to (or the new owner)", ...optional })
    .addOption({ name: "role", description: "read | editor | owner | public", defaultValue: "read" })
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/grant.js"))
    .build(),
  task("disp:revoke", "Revoke read or edit access, or make a public image private again (owner only)")
    .addOption(imageId)
    .addOption({ name: "account", description: "Account to revoke", ...optional })
    .addOption({ name: "role", description: "read | editor | public", defaultValue: "read" })
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/revoke.js"))
    .build(),
];
