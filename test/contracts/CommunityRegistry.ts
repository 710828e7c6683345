import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { addressesOf, at, contactOf, nodeAccounts, NodeStatus, optInAll, namedSigners } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const POOL = 70; // more than the largest community

async function deployFixture() {
  const accounts = await namedSigners(ethers, ["admin", "stranger"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  const nodes = await nodeAccounts(ethers, networkHelpers, POOL);
  return { registry, ...accounts, nodes };
}

/** Every node opted in, in order: the pool is `nodes`. */
async function poolFixture() {
  const fixture = await deployFixture();
  await optInAll(fixture.registry, fixture.nodes);
  return fixture;
}

/** Community 1 formed from nodes 0..3; nodes 4.. still free. */
async function communityFixture() {
  const fixture = await poolFixture();
  await (await fixture.registry.formCommunity(4)).wait();
  return fixture;
}

describe("CommunityRegistry", function () {
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
