import { expect } from "chai";
import { network } from "hardhat";

import { communityFixtures, POOL } from "./community-fixtures.js";
import { addressesOf, at, NodeStatus, optInAll } from "./helpers.js";

const connection = await network.create();
const { networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const { deployFixture, poolFixture, communityFixture } = communityFixtures(connection);

describe("CommunityRegistry: communities", function () {
  describe("formCommunity", function () {
    it("takes the first free nodes into slots 0..size-1 and announces each assignment", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      const tx = registry.formCommunity(3);
      await expect(tx).to.emit(registry, "CommunityFormed").withArgs(1n, 3n);
      for (let slot = 0; slot < 3; slot++) {
        await expect(tx)
          .to.emit(registry, "CommunityMemberAssigned")
          .withArgs(1n, BigInt(slot), at(nodes, slot).address);
      }

      expect(await registry.communityCount()).to.equal(1n);
      expect(await registry.communitySize(1)).to.equal(3n);
      expect(await registry.communityMembers(1)).to.deep.equal(addressesOf(nodes.slice(0, 3)));
      for (let slot = 0; slot < 3; slot++) {
        expect(await registry.communityMember(1, slot)).to.equal(at(nodes, slot).address);
        const info = await registry.nodeInfo(at(nodes, slot).address);
        expect([info.status, info.communityId, info.slot]).to.deep.equal([
          NodeStatus.Serving,
          1n,
          BigInt(slot),
        ]);
      }
      expect(await registry.freeNodeCount()).to.equal(BigInt(POOL - 3));
      expect(await registry.nextFreeNodes(2)).to.deep.equal(addressesOf(nodes.slice(3, 5)));
    });

    it("records the block it was formed in, where its node agents start reading", async function () {
      const { registry } = await loadFixture(poolFixture);
      const receipt = await (await registry.formCommunity(3)).wait();
      expect(await registry.communityFormedBlock(1)).to.equal(BigInt(receipt?.blockNumber ?? -1));
      await expect(registry.communityFormedBlock(2))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryUnknownCommunity")
        .withArgs(2n);
    });

    it("numbers communities from 1 and never reuses a node", async function () {
      const { registry, nodes } = await loadFixture(poolFixture);
      await registry.formCommunity(2);
      await registry.formCommunity(64);
      expect(await registry.communityCount()).to.equal(2n);
      expect(await registry.communityMembers(1)).to.deep.equal(addressesOf(nodes.slice(0, 2)));
      expect(await registry.communityMembers(2)).to.deep.equal(addressesOf(nodes.slice(2, 66)));
      expect(await registry.freeNodeCount()).to.equal(BigInt(POOL - 66));
    });

    it("returns the new community's id", async function () {
      const { registry } = await loadFixture(poolFixture);
      expect(await registry.formCommunity.staticCall(4)).to.equal(1n);
    });

    for (const size of [0, 1, 65]) {
      it(`reverts with CommunityRegistryInvalidSize for size ${size}`, async function () {
        const { registry } = await loadFixture(poolFixture);
        await expect(registry.formCommunity(size))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryInvalidSize")
          .withArgs(BigInt(size));
      });
    }

    it("reverts with CommunityRegistryNotEnoughFreeNodes when the pool is too small", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      await optInAll(registry, nodes.slice(0, 3));
      await expect(registry.formCommunity(4))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryNotEnoughFreeNodes")
        .withArgs(4n, 3n);
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without COMMUNITY_MANAGER_ROLE", async function () {
      const { registry, stranger } = await loadFixture(poolFixture);
      await expect(registry.connect(stranger).formCommunity(4))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await registry.COMMUNITY_MANAGER_ROLE());
    });

    it("works for an account the admin made community manager", async function () {
      const { registry, stranger } = await loadFixture(poolFixture);
      await registry.grantRole(await registry.COMMUNITY_MANAGER_ROLE(), stranger.address);
      await expect(registry.connect(stranger).formCommunity(4)).to.emit(registry, "CommunityFormed");
    });
  });

  describe("replaceMember", function () {
    it("gives the slot to the front free node and drops the previous member from the registry", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      const [previous, next] = [at(nodes, 2), at(nodes, 4)];
      const tx = registry.replaceMember(1, 2);
      await expect(tx)
        .to.emit(registry, "CommunityMemberReplaced")
        .withArgs(1n, 2n, previous.address, next.address);
      await expect(tx).to.emit(registry, "CommunityMemberAssigned").withArgs(1n, 2n, next.address);

      expect(await registry.communityMember(1, 2)).to.equal(next.address);
      expect(await registry.communityMembers(1)).to.deep.equal([
        at(nodes, 0).address,
        at(nodes, 1).address,
        next.address,
        at(nodes, 3).address,
      ]);
      const nextInfo = await registry.nodeInfo(next.address);
      expect([nextInfo.status, nextInfo.communityId, nextInfo.slot]).to.deep.equal([
        NodeStatus.Serving,
        1n,
        2n,
      ]);
      expect((await registry.nodeInfo(previous.address)).status).to.equal(NodeStatus.None);
      expect(await registry.freeNodeCount()).to.equal(BigInt(POOL - 5));
      expect(await registry.nextFreeNodes(1)).to.deep.equal([at(nodes, 5).address]);
    });

    it("keeps the replaced member's addresses and lists it among the former members", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      const [previous, later] = [at(nodes, 2), at(nodes, 0)];
      const before = await registry.nodeInfo(previous.address);
      expect(await registry.formerMembers(1)).to.deep.equal([]);
      await (await registry.replaceMember(1, 2)).wait();
      await (await registry.replaceMember(1, 0)).wait();
      const after = await registry.nodeInfo(previous.address);
      expect([after.status, after.communityId, after.slot]).to.deep.equal([NodeStatus.None, 0n, 0n]);
      expect([after.peerId, after.multiaddrs]).to.deep.equal([before.peerId, before.multiaddrs]);
      expect(await registry.formerMembers(1)).to.deep.equal([previous.address, later.address]);
    });

    it("returns the new member", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      expect(await registry.replaceMember.staticCall(1, 0)).to.equal(at(nodes, 4).address);
    });

    it("lets the replaced node opt in again", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      await registry.replaceMember(1, 0);
      await expect(registry.connect(at(nodes, 0)).optIn("12D3KooWBack", [], "0x")).to.emit(
        registry,
        "NodeOptedIn",
      );
    });

    it("reverts with CommunityRegistryUnknownCommunity for an unknown community", async function () {
      const { registry } = await loadFixture(communityFixture);
      await expect(registry.replaceMember(2, 0))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryUnknownCommunity")
        .withArgs(2n);
    });

    it("reverts with CommunityRegistryInvalidSlot for a slot past the size", async function () {
      const { registry } = await loadFixture(communityFixture);
      await expect(registry.replaceMember(1, 4))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryInvalidSlot")
        .withArgs(1n, 4n);
    });

    it("reverts with CommunityRegistryNotEnoughFreeNodes when the pool is empty", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      await optInAll(registry, nodes.slice(0, 2));
      await registry.formCommunity(2);
      await expect(registry.replaceMember(1, 0))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryNotEnoughFreeNodes")
        .withArgs(1n, 0n);
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without COMMUNITY_MANAGER_ROLE", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      await expect(registry.connect(at(nodes, 0)).replaceMember(1, 0))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(at(nodes, 0).address, await registry.COMMUNITY_MANAGER_ROLE());
    });
  });

  describe("views", function () {
    it("reports status None and empty contact details for an unknown node", async function () {
      const { registry, stranger } = await loadFixture(deployFixture);
      const info = await registry.nodeInfo(stranger.address);
      expect([info.status, info.communityId, info.slot, info.peerId, info.multiaddrs]).to.deep.equal([
        NodeStatus.None,
        0n,
        0n,
        "",
        [],
      ]);
    });

    it("lists at most the pool's size of next free nodes", async function () {
      const { registry, nodes } = await loadFixture(communityFixture);
      expect(await registry.nextFreeNodes(0)).to.deep.equal([]);
      expect(await registry.nextFreeNodes(1000)).to.deep.equal(addressesOf(nodes.slice(4)));
    });

    for (const communityId of [0, 2]) {
      it(`reverts with CommunityRegistryUnknownCommunity for community ${communityId}`, async function () {
        const { registry } = await loadFixture(communityFixture);
        for (const call of [
          registry.communitySize(communityId),
          registry.communityMembers(communityId),
          registry.communityMember(communityId, 0),
        ]) {
          await expect(call)
            .to.be.revertedWithCustomError(registry, "CommunityRegistryUnknownCommunity")
            .withArgs(BigInt(communityId));
        }
      });
    }

    it("reverts with CommunityRegistryInvalidSlot for a member past the size", async function () {
      const { registry } = await loadFixture(communityFixture);
      await expect(registry.communityMember(1, 4))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryInvalidSlot")
        .withArgs(1n, 4n);
    });
  });
});
