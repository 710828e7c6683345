import { checkKeyRegistry, connectKeyRegistry, registerEncryptionKey } from "@disp/client";
import { isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, TaskInputError } from "../cli.js";
import { required } from "../options.js";
import { signerOf } from "../flow/session.js";

interface RegisterArgs {
  keyRegistry: string | undefined;
  from: string;
  relayer: string | undefined;
  json: boolean;
}

/** disp:keys:register — derive the account's encryption key and register it, directly or relayed. */
export default cliAction(async (args: RegisterArgs, hre: HardhatRuntimeEnvironment) => {
  const address = required(args.keyRegistry, "key-registry");
  if (!isAddress(address)) throw new TaskInputError(`--key-registry must be an address, got "${address}"`);
  const connection = await hre.network.create();
  if (connection.networkConfig.type === "edr-simulated") {
    throw new TaskInputError(
      `the in-process network "${connection.networkName}" forgets the key after the command: pass --network localhost (or another chain)`,
    );
  }
  const account = await signerOf(connection, args.from, "from");
  const relayer =
    args.relayer === undefined ? undefined : await signerOf(connection, args.relayer, "relayer");
  const keys = connectKeyRegistry(address, connection.ethers.provider);
  await checkKeyRegistry(keys);
  const registration = await registerEncryptionKey(keys, account, relayer === undefined ? {} : { relayer });
  const result = { ...registration, relayer: relayer?.address };
  if (args.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const what = registration.changed ? "registered" : "already registered";
  const by = relayer === undefined ? "" : ` (sent by ${relayer.address})`;
  console.log(`${registration.account}: encryption key ${registration.publicKey} ${what}${by}`);
});
