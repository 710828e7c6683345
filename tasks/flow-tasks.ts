import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

import {
  optionalBigint,
  optionalFile,
  optionalInt,
  optionalString,
  requiredFile,
  requiredString,
} from "./option-specs.js";

const json = { name: "json", description: "Print the result as JSON on the last line" } as const;
const registry = optionalString("registry", "DispRegistry address (default: from .disp/<network>.json)");
const challenges = optionalString(
  "challenges",
  "StorageChallenges address (default: from .disp/<network>.json)",
);
const epochs = {
  name: "epochs",
  description: "Epochs back from the head to read proofs and misses over",
  type: ArgumentType.INT,
  defaultValue: 7,
} as const;
const ipfs = optionalString(
  "ipfs",
  "Your IPFS node: a Kubo RPC URL (http://127.0.0.1:5001) or a directory for an embedded node (default: .disp/<network>/ipfs)",
);
const from = {
  name: "from",
  description: "Account to act as: an address or an index into the network's accounts",
  defaultValue: "0",
} as const;
const imageId = requiredString("id", "Image id: 0x and hex digits, as disp:store prints it, or decimal");

const kernel = optionalString(
  "kernel",
  "Pooling kernel <rows>x<columns> (default: 2x2, the other members keeping parity; an update keeps the latest version's)",
);
const parity = optionalInt(
  "parity",
  "Reed–Solomon parity shards, one per member beside the kernel's fragments: kernel + parity = community size (-1: not given)",
);
const codec = {
  name: "codec",
  description: "auto | png | jpeg, for a community; --mode replicate always stores the whole file",
  defaultValue: "auto",
} as const;
const visibility = {
  name: "visibility",
  description: "private (encrypted, keys wrapped for the key holders) | public (viewable by every node)",
  defaultValue: "private",
} as const;
const receiptTimeout = {
  name: "timeout",
  description: "Seconds to wait for every storage receipt",
  type: ArgumentType.INT,
  defaultValue: 120,
} as const;
const imageVersion = optionalBigint("imageVersion", "Image version; -1: the latest");
const fetchTimeout = {
  name: "timeout",
  description: "Seconds to wait for each fragment",
  type: ArgumentType.INT,
  defaultValue: 30,
} as const;

/** The tasks of the whole flow: nodes, communities, images, access, and the local devnet and demo. */
export const flowTasks: TaskDefinition[] = [
  task("disp:demo", "Run the whole product on the in-process network with embedded IPFS nodes")
    .addOption(optionalFile("image", "Photograph to store (default: test/fixtures/rocket.jpg)"))
    .addOption({
      name: "kernel",
      description: "Pooling kernel <rows>x<columns>",
      defaultValue: "2x2",
    })
    .addOption({
      name: "parity",
      description: "Parity shards beside the fragments: the community has kernel + parity nodes",
      type: ArgumentType.INT,
      defaultValue: 2,
    })
    .addOption({
      name: "out",
      description: "Output directory for the pictures",
      type: ArgumentType.FILE,
      defaultValue: "demo-out",
    })
    .setAction(() => import("./demo.js"))
    .build(),
  task("disp:bench:flow", "Benchmark store and retrieve: DISP against full replication and plain IPFS")
    .addOption(
      optionalFile(
        "image",
        "Image to store (default: $DISP_BENCH_IMAGE, else a 12-megapixel JPEG from a fixture)",
      ),
    )
    .setAction(() => import("./bench-flow.js"))
    .build(),
  task("disp:devnet", "Deploy to a local chain, start storage nodes with their agents and form a community")
    .addOption({
      name: "nodes",
      description: "Community size (number of storage nodes): 6 keeps a 2x2 kernel and 2 parity shards",
      type: ArgumentType.INT,
      defaultValue: 6,
    })
    .addOption({
      name: "dir",
      description: "Where the nodes keep their state",
      type: ArgumentType.FILE,
      defaultValue: ".disp/devnet",
    })
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
    .addOption(optionalFile("state", "Agent state file (default: .disp/<network>/agent-<address>.json)"))
    .setAction(() => import("./flow/node-run.js"))
    .build(),
  task("disp:community:form", "Form a community from the free opted-in nodes (community manager only)")
    .addOption(registry)
    .addOption(from)
    .addOption({
      name: "size",
      description: "Community size (2..64), taken from the front of the pool; not with --nodes",
      type: ArgumentType.INT,
      defaultValue: 6,
    })
    .addOption(
      optionalString(
        "nodes",
        "The free nodes to take instead, by slot: addresses or account indices, separated by commas",
      ),
    )
    .addFlag(json)
    .setAction(() => import("./flow/community-form.js"))
    .build(),
  task("disp:node:remove", "Take a free node out of the pool (community manager only)")
    .addOption(requiredString("node", "The free node: an address or an index into the network's accounts"))
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/node-remove.js"))
    .build(),
  task(
    "disp:community:uploader",
    "Let an account store images on a community, or stop it with --revoke (community manager only)",
  )
    .addOption(optionalBigint("community", "Community id; -1: the one in .disp/<network>.json"))
    .addOption(requiredString("account", "The uploader: an address or an index into the network's accounts"))
    .addFlag({ name: "revoke", description: "Take the account off the community's uploaders" })
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/community-uploader.js"))
    .build(),
  task("disp:store", "Store an image with a community (DISP) or by full replication")
    .addOption(requiredFile("image", "Image file"))
    .addOption(optionalBigint("community", "Community id; -1: the one in .disp/<network>.json"))
    .addOption({ name: "mode", description: "disp | replicate", defaultValue: "disp" })
    .addOption(
      optionalInt(
        "replicas",
        "How many nodes keep the whole file (required with --mode replicate; -1: not given)",
      ),
    )
    .addOption(kernel)
    .addOption(parity)
    .addOption(codec)
    .addOption(visibility)
    .addOption(receiptTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/store.js"))
    .build(),
  task("disp:update", "Add a version to an image (owner or editor)")
    .addOption(imageId)
    .addOption(requiredFile("image", "Image file of the new version"))
    .addOption(kernel)
    .addOption(parity)
    .addOption(codec)
    .addOption(
      optionalString(
        "visibility",
        "private | public (default: the latest version's); a private version has a new content key",
      ),
    )
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
    .addOption(
      optionalFile("out", "Output file (default: named after the image, its extension after the codec)"),
    )
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
    .addOption(optionalFile("file", "A file to prove is this version's content (its SHA-256 or pixel hash)"))
    .addOption(imageVersion)
    .addOption(fetchTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/verify.js"))
    .build(),
  task("disp:nodes", "Every storage node with its status, community slot and proofs answered and missed")
    .addOption(epochs)
    .addOption(optionalInt("maxNodes", "The most nodes listed (-1: 1024)"))
    .addOption(registry)
    .addOption(challenges)
    .addFlag(json)
    .setAction(() => import("./flow/nodes.js"))
    .build(),
  task(
    "disp:history",
    "An image's versions, access events, proofs and misses (--id), or a node's proofs and misses (--node)",
  )
    .addOption(optionalString("id", "Image id: 0x and hex digits, as disp:store prints it, or decimal"))
    .addOption(optionalString("node", "A storage node: an address or an index into the network's accounts"))
    .addOption(epochs)
    .addOption(optionalInt("fromBlock", "First block of proofs and misses (-1: --epochs back from the head)"))
    .addOption(optionalInt("toBlock", "Last block of proofs and misses (-1: the head)"))
    .addOption(registry)
    .addOption(challenges)
    .addFlag(json)
    .setAction(() => import("./flow/history.js"))
    .build(),
  task(
    "disp:grant",
    "Grant read or edit access, offer ownership (the account accepts with disp:ownership:accept), or make an image public (owner only)",
  )
    .addOption(imageId)
    .addOption(
      optionalString(
        "account",
        "Account to grant to (or the new owner): an address or an index into the network's accounts; not with --role public",
      ),
    )
    .addOption({ name: "role", description: "read | editor | owner | public", defaultValue: "read" })
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/grant.js"))
    .build(),
  task("disp:ownership:accept", "Take an image its owner offered you (disp:grant --role owner)")
    .addOption(imageId)
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/ownership-accept.js"))
    .build(),
  task(
    "disp:repair",
    "Give a lost member's slot to a free node, whose agent rebuilds its shard of every version from the others (community manager only)",
  )
    .addOption(optionalBigint("community", "Community id; -1: the one in .disp/<network>.json"))
    .addOption(optionalInt("slot", "The slot to repair, 0 .. size - 1 (required)"))
    .addOption(
      optionalString(
        "node",
        "The free node to take the slot: an address or an index into the network's accounts (default: the next free node)",
      ),
    )
    .addFlag({
      name: "noWait",
      description: "Return once the slot is reassigned, without waiting for the rebuilt shards",
    })
    .addOption({
      name: "timeout",
      description: "Seconds to wait for the new member's receipts",
      type: ArgumentType.INT,
      defaultValue: 300,
    })
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/repair.js"))
    .build(),
  task("disp:replica:replace", "Give one replica of a replicated image to another storage node (owner only)")
    .addOption(imageId)
    .addOption({
      name: "index",
      description: "The replica's position (0 is the first node named at store time)",
      type: ArgumentType.INT,
      defaultValue: 0,
    })
    .addOption(requiredString("node", "An opted-in node: an address or an index into the network's accounts"))
    .addOption(registry)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/replica-replace.js"))
    .build(),
  task("disp:revoke", "Revoke read or edit access, or make a public image private again (owner only)")
    .addOption(imageId)
    .addOption(
      optionalString(
        "account",
        "Account to revoke: an address or an index into the network's accounts; not with --role public",
      ),
    )
    .addOption({ name: "role", description: "read | editor | public", defaultValue: "read" })
    .addFlag({
      name: "rotate",
      description:
        "With --role read: also add a new version of the content under a new key wrapped only for the remaining holders (one transaction)",
    })
    .addOption(receiptTimeout)
    .addOption(registry)
    .addOption(ipfs)
    .addOption(from)
    .addFlag(json)
    .setAction(() => import("./flow/revoke.js"))
    .build(),
];
