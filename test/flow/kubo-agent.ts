import { join } from "node:path";

import { retrieveImage, storeImage, verifyImage } from "@disp/client";
import { sha256Hex } from "@disp/protocol";
import { startWorld, type World } from "@disp/devkit";
import { CID, createKuboNode } from "@disp/ipfs";
import { startKuboRpcTestServer, type KuboRpcTestServer } from "@disp/kubo-rpc-test-server";
import { expect } from "chai";
import { network } from "hardhat";

import { removeDir, tempDir } from "../ipfs/support/files.js";
import { fixture } from "./support.js";

// Node agents on a Kubo node, through Kubo's RPC API (a real Kubo-RPC daemon: the test-only js-ipfs
// server). That server cannot exchange blocks with Helia nodes (it speaks mplex, Helia yamux) nor,
// here, with another of its kind, so every party uses the one daemon: this shows the agent's whole
// job on Kubo (opt in with Kubo's peer id and addresses, prove, pin, confirm), not a transfer.
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
      openIpfs: () => createKuboNode({ url: server.url, timeoutMs: 20_000 }),
    });
  });

  after(async function () {
    await world?.stop();
    await server?.stop();
    await removeDir(directory);
  });

  it("opt in with the daemon's identity, keep their slots pinned on it and confirm on chain", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const kubo = await world.startIpfs("uploader");
    for (const node of world.nodes) {
      const info = await world.registry.nodeInfo(node.account.address);
      expect(info.peerId).to.equal(kubo.peerId);
      expect([...info.multiaddrs]).to.deep.equal(await kubo.addresses());
    }
    const image = await fixture("rocket.jpg");
    const stored = await storeImage(world.client(owner, kubo), image, {
      mode: "disp",
      communityId: world.communityId,
    });
    const pins = (await kubo.pins()).map(String);
    expect(pins).to.include.members([...stored.parts.map((part) => part.cid), stored.manifestCid]);
    const report = await verifyImage(world.client(owner, kubo), stored.imageId);
    expect(
      report.slots.map((slot) => slot.confirmed && slot.status === "held" && slot.provenOnChain),
    ).to.deep.equal([true, true]);
    const back = await retrieveImage(world.client(owner, kubo), stored.imageId);
    expect(sha256Hex(back.bytes)).to.equal(sha256Hex(image));
    expect(await kubo.has(CID.parse(stored.manifestCid))).to.equal(true);
  });
});
