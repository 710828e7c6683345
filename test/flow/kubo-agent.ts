import { join } from "node:path";

import { connectRegistry, createNodeAgent, retrieveImage, storeImage, verifyImage } from "@disp/client";
import { sha256Hex } from "@disp/protocol";
import { startWorld, type World } from "@disp/devkit";
import { CID, createEmbeddedNode, createKuboNode } from "@disp/ipfs";
import { startKuboRpcTestServer, type KuboRpcTestServer } from "@disp/kubo-rpc-test-server";
import { expect } from "chai";
import { network } from "hardhat";

import { removeDir, tempDir } from "../ipfs/support/files.js";
import { expectCode, fixture } from "./support.js";

// Node agents on a Kubo node, through Kubo's RPC API (a real Kubo-RPC daemon: the test-only js-ipfs
// server). That server cannot exchange blocks with Helia nodes (it speaks mplex, Helia yamux) nor,
// here, with another of its kind, so every party uses the one daemon: this shows the agent's whole
// job on Kubo (opt in with Kubo's peer id and addresses, prove, pin, confirm), not a transfer. A peer
// id is held by one account (issue 14, item 12), so one storage node runs on the daemon and keeps the
// image as its replica; the community's other member is an embedded node.
describe("node agents on a Kubo node (Kubo RPC API)", function () {
  this.timeout(180_000);
  let directory: string;
  let server: KuboRpcTestServer;
  let world: World;

  before(async function () {
    directory = await tempDir("kubo-agent");
    server = await startKuboRpcTestServer({ directory: join(directory, "daemon") });
    world = await startWorld(await network.create(), {
      directory,
      communitySize: 2,
      openIpfs: (nodeDirectory) =>
        nodeDirectory.endsWith("node-1")
          ? createEmbeddedNode({ directory: nodeDirectory })
          : createKuboNode({ url: server.url, timeoutMs: 20_000 }),
    });
  });

  after(async function () {
    await world?.stop();
    await server?.stop();
    await removeDir(directory);
  });

  it("opts in with the daemon's identity and a proof signed by Kubo's key/sign, keeps its replica pinned on it and confirms on chain", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const kubo = await world.startIpfs("uploader");
    const [onKubo] = world.nodes;
    if (onKubo === undefined) throw new Error("no storage node");
    const info = await world.registry.nodeInfo(onKubo.account.address);
    expect(info.peerId).to.equal(kubo.peerId);
    expect([...info.multiaddrs]).to.deep.equal(await kubo.addresses());
    expect(info.peerIdProof).to.not.equal("0x");
    const image = await fixture("rocket.jpg");
    const stored = await storeImage(world.client(owner, kubo), image, {
      mode: "replicate",
      nodes: [onKubo.account.address],
    });
    const pins = (await kubo.pins()).map(String);
    expect(pins).to.include.members([...stored.parts.map((part) => part.cid), stored.manifestCid]);
    const report = await verifyImage(world.client(owner, kubo), stored.imageId);
    expect(
      report.slots.map((slot) => slot.confirmed && slot.status === "held" && slot.provenOnChain),
    ).to.deep.equal([true]);
    const back = await retrieveImage(world.client(owner, kubo), stored.imageId);
    expect(sha256Hex(back.bytes)).to.equal(sha256Hex(image));
    expect(await kubo.has(CID.parse(stored.manifestCid))).to.equal(true);
  });

  it("refuses a second account on the same daemon: its join reverts with CommunityRegistryPeerIdTaken", async function () {
    const [, other] = world.users;
    if (other === undefined) throw new Error("no user account");
    const agent = await createNodeAgent(
      {
        registry: connectRegistry(world.registryAddress, other),
        ipfs: await world.startIpfs("second-account"),
        fromBlock: world.fromBlock,
      },
      { stateFile: join(directory, "second-account.json") },
    );
    const error = await expectCode(agent.join(), "CLIENT_INVALID_INPUT");
    expect(error.message).to.contain("already published");
  });
});
