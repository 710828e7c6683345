import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { connectKeyRegistry } from "@disp/client";
import { createCrypto, KEY_DERIVATION_MESSAGE } from "@disp/crypto";
import { expect } from "chai";
import { ContractFactory, getBytes, hexlify, JsonRpcProvider, ZeroHash } from "ethers";

import {
  CHAIN_STARTED,
  expectOneLineError,
  hardhat,
  lastJsonLine,
  startUntil,
  type Started,
} from "./helpers.js";

const ARTIFACT = join(
  import.meta.dirname,
  "..",
  "..",
  "artifacts",
  "contracts",
  "EncryptionKeyRegistry.sol",
  "EncryptionKeyRegistry.json",
);

describe("disp:keys:register, as a user runs it", function () {
  // Each `hardhat` run is a fresh process loading Hardhat and its plugins (about 16 s on 2 cores).
  this.timeout(300_000);
  const network = ["--network", "local"];
  const urlBefore = process.env.DISP_LOCAL_RPC_URL;
  let chain: Started | undefined;
  let provider: JsonRpcProvider;
  let keyRegistry: string;

  before(async function () {
    chain = await startUntil(["node", "--port", "0", "--hostname", "127.0.0.1"], CHAIN_STARTED);
    const url = CHAIN_STARTED.exec(chain.output())?.[1];
    if (url === undefined) throw new Error(`no URL in the chain's output: ${chain.output()}`);
    process.env.DISP_LOCAL_RPC_URL = url; // inherited by every hardhat process started from here
    provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    const { abi, bytecode } = JSON.parse(await readFile(ARTIFACT, "utf8")) as { abi: []; bytecode: string };
    const deployed = await new ContractFactory(abi, bytecode, await provider.getSigner(0)).deploy();
    await deployed.waitForDeployment();
    keyRegistry = await deployed.getAddress();
  });

  after(async function () {
    provider?.destroy();
    const child = chain?.child;
    if (child !== undefined && child.exitCode === null) {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("close", resolve));
    }
    if (urlBefore === undefined) delete process.env.DISP_LOCAL_RPC_URL;
    else process.env.DISP_LOCAL_RPC_URL = urlBefore;
  });

  it("registers the key the account's wallet derives, sent by the account", async function () {
    const run = await hardhat(
      "disp:keys:register",
      ...network,
      "--key-registry",
      keyRegistry,
      "--from",
      "1",
      "--json",
    );
    expect(run.code, run.stderr).to.equal(0);
    const result = lastJsonLine(run.stdout) as { account: string; publicKey: string; changed: boolean };
    const account = await provider.getSigner(1);
    expect(result.account).to.equal(account.address);
    expect(result.changed).to.equal(true);
    const derived = await (
      await createCrypto()
    ).keyPairFromSignature(getBytes(await account.signMessage(KEY_DERIVATION_MESSAGE)));
    expect(result.publicKey).to.equal(hexlify(derived.publicKey));
    expect(await connectKeyRegistry(keyRegistry, provider).keyOf(account.address)).to.equal(result.publicKey);
  });

  it("registers through a relayer: the account sends no transaction", async function () {
    const account = (await provider.getSigner(2)).address;
    const run = await hardhat(
      "disp:keys:register",
      ...network,
      "--key-registry",
      keyRegistry,
      "--from",
      "2",
      "--relayer",
      "0",
      "--json",
    );
    expect(run.code, run.stderr).to.equal(0);
    expect(lastJsonLine(run.stdout)).to.include({ account, changed: true });
    expect(await connectKeyRegistry(keyRegistry, provider).keyOf(account)).to.not.equal(ZeroHash);
    expect(await provider.getTransactionCount(account)).to.equal(0);
  });

  it("refuses an address without a key registry, and the in-process network, in one line", async function () {
    const stranger = (await provider.getSigner(5)).address;
    expectOneLineError(
      await hardhat("disp:keys:register", ...network, "--key-registry", stranger),
      "CLIENT_NO_REGISTRY",
    );
    expectOneLineError(await hardhat("disp:keys:register", "--key-registry", keyRegistry), "TASK_INPUT");
  });
});
