import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { connectKeyRegistry } from "@disp/client";
import { createCrypto, KEY_DERIVATION_MESSAGE } from "@disp/crypto";
import { expect } from "chai";
import { ContractFactory, getBytes, hexlify, JsonRpcProvider, ZeroHash } from "ethers";

import { expectOneLineError, hardhat, lastJsonLine, startLocalChain, type LocalChain } from "./helpers.js";

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
  let chain: LocalChain | undefined;
  let provider: JsonRpcProvider;
  let keyRegistry: string;

  before(async function () {
    chain = await startLocalChain();
    provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
    const { abi, bytecode } = JSON.parse(await readFile(ARTIFACT, "utf8")) as { abi: []; bytecode: string };
    const deployed = await new ContractFactory(abi, bytecode, await provider.getSigner(0)).deploy();
    await deployed.waitForDeployment();
    keyRegistry = await deployed.getAddress();
  });

  after(async function () {
    provider?.destroy();
    await chain?.stop();
  });

  /** `disp:keys:register` on the local chain with the key registry and `options`, as JSON. */
  async function register(...options: string[]): Promise<Record<string, unknown>> {
    const run = await hardhat(
      "disp:keys:register",
      "--network",
      "local",
      "--key-registry",
      keyRegistry,
      ...options,
      "--json",
    );
    expect(run.code, run.stderr).to.equal(0);
    return lastJsonLine(run.stdout) as Record<string, unknown>;
  }

  it("registers the key the account's wallet derives, sent by the account", async function () {
    const account = await provider.getSigner(1);
    const result = await register("--from", "1");
    expect(result).to.include({ account: account.address, changed: true });
    const derived = await (
      await createCrypto()
    ).keyPairFromSignature(getBytes(await account.signMessage(KEY_DERIVATION_MESSAGE)));
    expect(result.publicKey).to.equal(hexlify(derived.publicKey));
    expect(await connectKeyRegistry(keyRegistry, provider).keyOf(account.address)).to.equal(result.publicKey);
  });

  it("registers through a relayer: the account sends no transaction", async function () {
    const account = (await provider.getSigner(2)).address;
    expect(await register("--from", "2", "--relayer", "0")).to.include({ account, changed: true });
    expect(await connectKeyRegistry(keyRegistry, provider).keyOf(account)).to.not.equal(ZeroHash);
    expect(await provider.getTransactionCount(account)).to.equal(0);
  });

  it("refuses an address without a key registry, and the in-process network, in one line", async function () {
    const stranger = (await provider.getSigner(5)).address;
    expectOneLineError(
      await hardhat("disp:keys:register", "--network", "local", "--key-registry", stranger),
      "CLIENT_NO_REGISTRY",
    );
    expectOneLineError(await hardhat("disp:keys:register", "--key-registry", keyRegistry), "TASK_INPUT");
  });
});
