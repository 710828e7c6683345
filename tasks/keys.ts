import { task } from "hardhat/config";
import type { TaskDefinition } from "hardhat/types/tasks";

import { optionalString } from "./option-specs.js";

/** The tasks of accounts' encryption keys (the keys private images are wrapped to). */
export const keyTasks: TaskDefinition[] = [
  task(
    "disp:keys:register",
    "Derive your encryption key from a signature of your wallet and register it (again after a wallet change: rotates it)",
  )
    .addOption(
      optionalString(
        "keyRegistry",
        "EncryptionKeyRegistry address (default: the one the registry names, see --registry)",
      ),
    )
    .addOption(
      optionalString(
        "registry",
        "DispRegistry whose key registry to use when --key-registry is not given (default: from .disp/<network>.json)",
      ),
    )
    .addOption({
      name: "from",
      description: "Account whose key to register: an address or an index into the network's accounts",
      defaultValue: "0",
    })
    .addOption(
      optionalString(
        "relayer",
        "Account that sends the transaction and pays its gas, posting --from's EIP-712 signature (default: --from itself)",
      ),
    )
    .addFlag({ name: "json", description: "Print the result as JSON on the last line" })
    .setAction(() => import("./keys/register.js"))
    .build(),
];
