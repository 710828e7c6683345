import { checkKeyRegistry, connectKeyRegistry, registerEncryptionKey } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";

import { cliAction, TaskInputError } from "../cli.js";
import { addressOption } from "../options.js";
import { openSession, signerOf } from "../flow/session.js";

interface RegisterArgs {
  keyRegistry: string | undefined;
  registry: string | undefined;
  from: string;
  relayer: string | undefined;
  json: boolean;
}

/**
 * disp:keys:register — derive the account's encryption key and register it, directly or relayed,
 * in --key-registry or else in the key registry the DispRegistry names (--registry or disp:devnet's).
 */
export default cliAction(async (args: RegisterArgs, hre: HardhatRuntimeEnvironment) => {
  const { connection, address } = await keyRegistryOf(hre, args);
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

/** The chain connection and the key registry to register in. */
async function keyRegistryOf(
  hre: HardhatRuntimeEnvironment,
  args: RegisterArgs,
): Promise<{ connection: NetworkConnection; address: string }> {
  if (args.keyRegistry === undefined) {
    const session = await openSession(hre, { registry: args.registry, from: args.from });
    return { connection: session.connection, address: await session.registry.encryptionKeyRegistry() };
  }
  const address = addressOption(args.keyRegistry, "key-registry");
  const connection = await hre.network.create();
  if (connection.networkConfig.type === "edr-simulated") {
    throw new TaskInputError(
      `the in-process network "${connection.networkName}" forgets the key after the command: pass --network localhost (or another chain)`,
    );
  }
  return { connection, address };
}
