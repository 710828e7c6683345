import {
  connectRegistry,
  replaceMemberWith,
  replaceReplica,
  retrieveImage,
  storeImage,
  verifyImage,
} from "@disp/client";
import { sha256Hex } from "@disp/protocol";
import type { World } from "@disp/devkit";
import { expect } from "chai";

import { expectCode, fixture, testWorld, variant, waitFor } from "./support.js";

/**
 * Issue 14 items 9 and 10 with real agents: receipts are the registry's state and count only from
 * the holder's current assignment; a replica can be repaired and a replaced one cannot confirm.
 */
describe("storage receipts and replicas under churn, with real agents", function () {
  this.timeout(240_000);
  let world: World;
  let close: () => Promise<void>;
  let image: Uint8Array;
  /** The agents' events, shown when a wait for one of them times out. */
  const events: unknown[] = [];
  const trail = () => events.filter((event) => !JSON.stringify(event).includes('"synced"'));

  before(async function () {
    ({ world, close } = await testWorld(4, {
      onAgentEvent: (node, event) => events.push({ node, ...event }),
    }));
    image = await fixture("chelsea.png");
  });

  after(async function () {
    await close();
  });

  /** The slots whose receipt counts now (the client's view: the registry's state, no log scan). */
  async function confirmedSlots(imageId: bigint): Promise<Map<number, string>> {
    const receipts = await world.registry.storageReceipts(imageId, 1n);
    return new Map(receipts.map((receipt) => [receipt.slot, receipt.node.toLowerCase()]));
  }

  it("a node put back in its old slot has its old receipt discounted until its agent confirms again", async function () {
    const [owner] = world.users;
    const returning = world.nodes[2];
    if (owner === undefined || returning === undefined) throw new Error("setup");
    const { imageId } = await storeImage(
      world.client(owner, await world.startIpfs("uploader-churn")),
      await variant(image, 1),
      { mode: "disp", communityId: world.communityId },
    );
    const address = returning.account.address.toLowerCase();
    expect((await confirmedSlots(imageId)).get(2)).to.equal(address);

    // The slot goes to a chosen newcomer, whose agent fetches the fragment and confirms.
    const newcomer = await world.addNode();
    await replaceMemberWith(world, world.communityId, 2, newcomer.account.address);
    await waitFor(
      async () => (await confirmedSlots(imageId)).get(2) === newcomer.account.address.toLowerCase(),
      { trail },
    );

    // The replaced node opts in again (its agent's restart), and is later put back in the same slot.
    await world.restartAgent(returning, async () => undefined);
    await waitFor(async () => (await world.registry.nodeInfo(returning.account.address)).status === "free", {
      trail,
    });
    await world.restartAgent(returning, async () => {
      await replaceMemberWith(world, world.communityId, 2, returning.account.address);
      // Its receipt from the first assignment is still in the registry's state, and counts no more.
      expect((await confirmedSlots(imageId)).has(2)).to.equal(false);
      const report = await verifyImage(world.client(owner, await world.startIpfs("verifier-stale")), imageId);
      expect(report.slots[2]?.node).to.equal(returning.account.address);
      expect(report.slots[2]?.confirmed).to.equal(false);
      expect(report.ok).to.equal(false);
    });
    // Back up, its agent owes the slot again: it confirms afresh, and only that receipt counts.
    await waitFor(async () => (await confirmedSlots(imageId)).get(2) === address, { trail });
    const report = await verifyImage(world.client(owner, await world.startIpfs("verifier-renewed")), imageId);
    expect(report.ok).to.equal(true);
  });

  it("the owner repairs a lost replica onto another node, whose agent confirms; the replaced node cannot", async function () {
    const [owner] = world.users;
    const [kept, lost] = [world.nodes[0], world.nodes[1]];
    if (owner === undefined || kept === undefined || lost === undefined) throw new Error("setup");
    const ownerClient = world.client(owner, await world.startIpfs("uploader-replicas"));
    const stored = await storeImage(ownerClient, image, {
      mode: "replicate",
      nodes: [kept.account.address, lost.account.address],
    });
    expect([...(await confirmedSlots(stored.imageId)).keys()].sort()).to.deep.equal([0, 1]);

    await world.stopNode(lost);
    try {
      const repair = await world.addNode();
      await replaceReplica(ownerClient, stored.imageId, 1, repair.account.address);
      await waitFor(
        async () => (await confirmedSlots(stored.imageId)).get(1) === repair.account.address.toLowerCase(),
        { trail },
      );
      expect(await world.registry.replicas(stored.imageId)).to.deep.equal([
        kept.account.address,
        repair.account.address,
      ]);

      // The replaced replica, still opted in, signs a receipt: refused (StorageReceiptsNotStorageNode).
      const asLost = connectRegistry(world.registryAddress, lost.account);
      await expectCode(asLost.confirmStorage(stored.imageId, 1n), "CLIENT_NOT_A_NODE");

      // With the replaced node down, the kept replica and the repaired one give the file back exactly.
      await world.stopNode(kept);
      try {
        const result = await retrieveImage(
          world.client(owner, await world.startIpfs("reader-repaired")),
          stored.imageId,
          { timeoutMs: 5000 },
        );
        expect(sha256Hex(result.bytes)).to.equal(sha256Hex(image));
      } finally {
        await world.restartNode(kept);
      }
      const report = await verifyImage(
        world.client(owner, await world.startIpfs("verifier-repaired")),
        stored.imageId,
      );
      expect(report.slots.map((slot) => slot.confirmed)).to.deep.equal([true, true]);
    } finally {
      await world.restartNode(lost);
    }
  });
});
