import { connectRegistry, retrieveImage, storeImage, verifyImage, type ClientContext } from "@disp/client";
import type { IpfsNode } from "@disp/ipfs";
import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { startWorld, type World } from "@disp/devkit";
import { fixture } from "../flow/support.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";
import { countingProvider, type RpcCounts } from "./support/rpc-counter.js";

/**
 * What one retrieve and one verify of a 4-slot image ask of the chain, counted at the JSON-RPC
 * boundary. Run it alone to see the numbers: it prints them as JSON.
 */
describe("the JSON-RPC requests of a retrieve and a verify of a 4-slot image", function () {
  this.timeout(180_000);
  let connection: NetworkConnection;
  let directory: string;
  let world: World;
  let imageId: bigint;
  let counter: ReturnType<typeof countingProvider>;
  let reader: IpfsNode;
  let context: ClientContext;

  before(async function () {
    directory = await tempDir("rpc-counts");
    connection = await network.create();
    world = await startWorld(connection, { directory, communitySize: 4, fetchTimeoutMs: 5000 });
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const uploader = await world.startIpfs("uploader");
    // Public: the counts are of the read path; a private one adds the envelope's keyBlock and log.
    ({ imageId } = await storeImage(
      world.client(owner, uploader),
      await fixture("rocket.jpg"),
      { mode: "disp", communityId: world.communityId },
      { visibility: "public" },
    ));
    await uploader.stop();
    const contract = await connection.ethers.getContractAt("DispRegistry", world.registryAddress);
    counter = countingProvider(connection.provider, contract.interface);
    reader = await world.startIpfs("reader");
    const signer = await counter.provider.getSigner(owner.address);
    context = {
      registry: connectRegistry(world.registryAddress, signer),
      ipfs: reader,
      fromBlock: world.fromBlock,
    };
  });

  after(async function () {
    await world.stop();
    await connection.close();
    await removeDir(directory);
  });

  async function counted(operation: () => Promise<unknown>): Promise<RpcCounts> {
    counter.reset();
    await operation();
    return counter.counts();
  }

  it("reads the image's info and its community's members once per retrieve", async function () {
    const counts = await counted(() => retrieveImage(context, imageId));
    console.log(`      retrieve: ${JSON.stringify(counts)}`);
    expect(counts.calls.imageInfo).to.equal(1);
    expect(counts.calls.communityMembers).to.equal(1);
    // Besides: the read check, the version's root, its event (read in its recorded block: the only
    // eth_getLogs) and block, each member's addresses, and the members replaced out (state).
    expect(counts.calls.nodeInfo).to.equal(4);
    expect(counts.methods.eth_getLogs).to.equal(1);
    expect(counts.total).to.be.at.most(11);
  });

  it("reads the image's info and its community's members once per verify", async function () {
    const counts = await counted(() => verifyImage(context, imageId));
    console.log(`      verify: ${JSON.stringify(counts)}`);
    expect(counts.calls.imageInfo).to.equal(1);
    expect(counts.calls.communityMembers).to.equal(1);
    expect(counts.calls.verifyFragment).to.equal(4);
    expect(counts.total).to.be.at.most(15);
  });
});
