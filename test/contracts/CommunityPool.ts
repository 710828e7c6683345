import { expect } from "chai";
import { network } from "hardhat";

import { communityFixtures, POOL } from "./community-fixtures.js";
import { addressesOf, at, contactOf, NodeStatus, optInAll } from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const { deployFixture, poolFixture, communityFixture } = communityFixtures(connection);

describe("CommunityRegistry: the node pool", function () {
  describe("constants", function () {
    it("bounds community sizes to 2..64 and names the manager role", async function () {
      const { registry } = await loadFixture(deployFixture);
      expect(await registry.MIN_COMMUNITY_SIZE()).to.equal(2n);
      expect(await registry.MAX_COMMUNITY_SIZE()).to.equal(64n);
      expect(await registry.COMMUNITY_MANAGER_ROLE()).to.equal(ethers.id("COMMUNITY_MANAGER_ROLE"));
    });
  });

  describe("optIn", function () {
    it("adds the caller to the back of the pool with its contact information", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const [first, second] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
      const { peerId, multiaddrs } = contactOf(7);

      await expect(registry.connect(first).optIn(peerId, multiaddrs, "0x"))
        .to.emit(registry, "NodeOptedIn")
        .withArgs(first.address, peerId, multiaddrs, "0x");
      await registry.connect(second).optIn("12D3KooWSecond", [], "0x");

      const info = await registry.nodeInfo(first.address);
      expect(info.status).to.equal(NodeStatus.Free);
      expect(info.communityId).to.equal(0n);
      expect(info.peerId).to.equal(peerId);
      expect(info.multiaddrs).to.deep.equal(multiaddrs);
      expect(await registry.freeNodeCount()).to.equal(2n);
      expect(await registry.nextFreeNodes(10)).to.deep.equal([first.address, second.address]);
    });

    it("records the block it opted in, where a fresh agent of the node starts reading", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const node = at(nodes, 0);
      expect(await registry.nodeOptedInBlock(node.address)).to.equal(0n);
      const receipt = await (await registry.connect(node).optIn("12D3KooWSince", [], "0x")).wait();
      expect(await registry.nodeOptedInBlock(node.address)).to.equal(BigInt(receipt?.blockNumber ?? -1));
      await (await registry.connect(node).optOut()).wait();
      expect(await registry.nodeOptedInBlock(node.address)).to.equal(0n);
    });

    it("accepts a node without multiaddrs (found by routing)", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      await expect(registry.connect(at(nodes, 0)).optIn("12D3KooWRouted", [], "0x"))
        .to.emit(registry, "NodeOptedIn")
        .withArgs(at(nodes, 0).address, "12D3KooWRouted", [], "0x");
      expect((await registry.nodeInfo(at(nodes, 0).address)).multiaddrs).to.deep.equal([]);
    });

    describe("when the caller is already opted in", function () {
      it("reverts with CommunityRegistryNodeAlreadyOptedIn while free", async function () {
        const { registry, nodes } = await loadFixture(poolFixture);
        await expect(registry.connect(at(nodes, 5)).optIn("again", [], "0x"))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeAlreadyOptedIn")
          .withArgs(at(nodes, 5).address);
      });

      it("reverts with CommunityRegistryNodeAlreadyOptedIn while serving", async function () {
        const { registry, nodes } = await loadFixture(communityFixture);
        await expect(registry.connect(at(nodes, 0)).optIn("again", [], "0x"))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeAlreadyOptedIn")
          .withArgs(at(nodes, 0).address);
      });
    });

    it("reverts with CommunityRegistryEmptyPeerId without a peer id", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      await expect(registry.connect(at(nodes, 0)).optIn("", ["/ip4/127.0.0.1/tcp/4001"], "0x"))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryEmptyPeerId")
        .withArgs(at(nodes, 0).address);
    });
  });

  describe("updateNodeInfo", function () {
    it("replaces the contact information and emits NodeInfoUpdated", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      const node = at(nodes, 3);
      await expect(
        registry.connect(node).updateNodeInfo("12D3KooWMoved", ["/dns4/node.example/tcp/4001"], "0x"),
      )
        .to.emit(registry, "NodeInfoUpdated")
        .withArgs(node.address, "12D3KooWMoved", ["/dns4/node.example/tcp/4001"], "0x");
      const info = await registry.nodeInfo(node.address);
      expect(info.peerId).to.equal("12D3KooWMoved");
      expect(info.multiaddrs).to.deep.equal(["/dns4/node.example/tcp/4001"]);
      expect(info.status).to.equal(NodeStatus.Free);
    });

    it("emits when only the multiaddrs change", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      const { peerId } = contactOf(3);
      await expect(registry.connect(at(nodes, 3)).updateNodeInfo(peerId, [], "0x"))
        .to.emit(registry, "NodeInfoUpdated")
        .withArgs(at(nodes, 3).address, peerId, [], "0x");
    });

    it("does not emit when nothing changed", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      const { peerId, multiaddrs } = contactOf(3);
      await expect(registry.connect(at(nodes, 3)).updateNodeInfo(peerId, multiaddrs, "0x")).to.not.emit(
        registry,
        "NodeInfoUpdated",
      );
    });

    it("works while the node serves a community, keeping its slot", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      await expect(registry.connect(at(nodes, 2)).updateNodeInfo("12D3KooWServing", [], "0x")).to.emit(
        registry,
        "NodeInfoUpdated",
      );
      const info = await registry.nodeInfo(at(nodes, 2).address);
      expect([info.status, info.communityId, info.slot]).to.deep.equal([NodeStatus.Serving, 1n, 2n]);
    });

    it("reverts with CommunityRegistryNodeNotOptedIn for an unknown caller", async function () {
      const { registry, stranger } = await loadFixture(poolFixture);
      await expect(registry.connect(stranger).updateNodeInfo("12D3KooW", [], "0x"))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeNotOptedIn")
        .withArgs(stranger.address);
    });

    it("reverts with CommunityRegistryEmptyPeerId without a peer id", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      await expect(registry.connect(at(nodes, 0)).updateNodeInfo("", [], "0x"))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryEmptyPeerId")
        .withArgs(at(nodes, 0).address);
    });
  });

  describe("optOut", function () {
    for (const [where, index] of [
      ["front", 0],
      ["middle", 5],
      ["back", POOL - 1],
    ] as const) {
      it(`removes a free node from the ${where} of the pool, keeping the others in order`, async function () {
        const { registry, nodes } = await loadFixture(poolFixture);
        const node = at(nodes, index);
        await expect(registry.connect(node).optOut())
          .to.emit(registry, "NodeOptedOut")
          .withArgs(node.address);

        const expected = addressesOf(nodes).filter((address) => address !== node.address);
        expect(await registry.freeNodeCount()).to.equal(BigInt(POOL - 1));
        expect(await registry.nextFreeNodes(POOL)).to.deep.equal(expected);
        const info = await registry.nodeInfo(node.address);
        expect([info.status, info.peerId, info.multiaddrs]).to.deep.equal([NodeStatus.None, "", []]);
      });
    }

    it("lets the node opt in again, at the back of the pool", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      await registry.connect(at(nodes, 0)).optOut();
      await registry.connect(at(nodes, 0)).optIn("12D3KooWBack", [], "0x");
      const free = await registry.nextFreeNodes(POOL);
      expect(free[0]).to.equal(at(nodes, 1).address);
      expect(free[POOL - 1]).to.equal(at(nodes, 0).address);
    });

    it("empties the pool when the last node leaves", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      await optInAll(registry, nodes.slice(0, 1));
      await registry.connect(at(nodes, 0)).optOut();
      expect(await registry.freeNodeCount()).to.equal(0n);
      expect(await registry.nextFreeNodes(5)).to.deep.equal([]);
    });

    it("reverts with CommunityRegistryNodeNotOptedIn for an unknown caller", async function () {
      const { registry, stranger } = await loadFixture(poolFixture);
      await expect(registry.connect(stranger).optOut())
        .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeNotOptedIn")
        .withArgs(stranger.address);
    });

    it("reverts with CommunityRegistryNodeServing for a community member", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      await expect(registry.connect(at(nodes, 1)).optOut())
        .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeServing")
        .withArgs(at(nodes, 1).address, 1n);
    });
  });
});
