import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { addressesOf, at, nodeAccounts, NodeStatus, optInAll, namedSigners } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/**
 * The attack of issue 14 item 8: an attacker opts in `fakes` first, then honest operators opt in
 * `honest`; formations and repairs from the front of the pool would take the fakes every time.
 */
async function deployFixture() {
  const accounts = await namedSigners(ethers, ["admin", "stranger"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  const fakes = await nodeAccounts(ethers, networkHelpers, 4, 0);
  const honest = await nodeAccounts(ethers, networkHelpers, 6, 4);
  await optInAll(registry, fakes, 0);
  await optInAll(registry, honest, 4);
  return { registry, ...accounts, fakes, honest };
}

/** Community 1 formed of honest nodes 0..3 by choice; honest 4, 5 and every fake still free. */
async function chosenCommunityFixture() {
  const fixture = await deployFixture();
  const { registry, honest } = fixture;
  await (await registry.formCommunityWith(addressesOf(honest.slice(0, 4)))).wait();
  return fixture;
}

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("not mined");
  return receipt.gasUsed;
}

describe("CommunityRegistry: the manager's choice of nodes", function () {
  describe("when fake nodes are queued first", function () {
    it("formCommunity would take them (the attack), formCommunityWith takes the chosen nodes instead", async function () {
      const { registry, fakes, honest } = await loadFixture(deployFixture);
      expect(await registry.nextFreeNodes(4)).to.deep.equal(addressesOf(fakes));

      const chosen = addressesOf(honest.slice(0, 4));
      const tx = registry.formCommunityWith(chosen);
      await expect(tx).to.emit(registry, "CommunityFormed").withArgs(1n, 4n);
      for (const [slot, node] of chosen.entries()) {
        await expect(tx).to.emit(registry, "CommunityMemberAssigned").withArgs(1n, BigInt(slot), node);
        const info = await registry.nodeInfo(node);
        expect([info.status, info.communityId, info.slot]).to.deep.equal([
          NodeStatus.Serving,
          1n,
          BigInt(slot),
        ]);
      }
      expect(await registry.communityMembers(1)).to.deep.equal(chosen);
      // The fakes are still free, still in front, and in no community.
      expect(await registry.nextFreeNodes(10)).to.deep.equal([
        ...addressesOf(fakes),
        ...addressesOf(honest.slice(4)),
      ]);
      expect(await registry.freeNodeCount()).to.equal(6n);
    });

    it("returns the new community's id and costs about what formCommunity does for the same size", async function () {
      const { registry, fakes, honest } = await loadFixture(deployFixture);
      expect(await registry.formCommunityWith.staticCall(addressesOf(honest.slice(0, 3)))).to.equal(1n);
      // The first formation also writes the community counter's first value: measure after it.
      await (await registry.formCommunity(3)).wait();
      const chosenGas = await gasOf(registry.formCommunityWith(addressesOf(honest.slice(0, 3))));
      const frontGas = await gasOf(registry.formCommunity(3));
      // Measured: formCommunityWith(3 nodes) 163,749 gas; formCommunity(3) from the front 159,337.
      console.log(`      formCommunityWith(3): ${chosenGas} gas, formCommunity(3): ${frontGas} gas`);
      expect(Number(chosenGas)).to.be.lessThan(Number(frontGas) * 1.05);
      expect(await registry.communityMembers(1)).to.deep.equal(addressesOf(fakes.slice(0, 3)));
    });

    it("replaceMemberWith repairs onto the chosen free node, skipping the fakes in front", async function () {
      const { registry, fakes, honest } = await loadFixture(chosenCommunityFixture);
      const [previous, chosen] = [at(honest, 2), at(honest, 5)];
      const tx = registry.replaceMemberWith(1, 2, chosen.address);
      await expect(tx)
        .to.emit(registry, "CommunityMemberReplaced")
        .withArgs(1n, 2n, previous.address, chosen.address);
      await expect(tx).to.emit(registry, "CommunityMemberAssigned").withArgs(1n, 2n, chosen.address);
      expect(await registry.communityMember(1, 2)).to.equal(chosen.address);
      expect((await registry.nodeInfo(previous.address)).status).to.equal(NodeStatus.None);
      expect(await registry.nextFreeNodes(10)).to.deep.equal([...addressesOf(fakes), at(honest, 4).address]);
    });

    it("removeFreeNode evicts the fakes, so that formations from the front no longer take them", async function () {
      const { registry, admin, fakes, honest } = await loadFixture(chosenCommunityFixture);
      for (const fake of fakes) {
        await expect(registry.removeFreeNode(fake.address))
          .to.emit(registry, "FreeNodeRemoved")
          .withArgs(fake.address, admin.address);
        expect((await registry.nodeInfo(fake.address)).status).to.equal(NodeStatus.None);
      }
      expect(await registry.freeNodeCount()).to.equal(2n);
      await (await registry.formCommunity(2)).wait();
      expect(await registry.communityMembers(2)).to.deep.equal(addressesOf(honest.slice(4, 6)));
    });

    it("a removed node may opt in again, at the back of the pool", async function () {
      const { registry, fakes, honest } = await loadFixture(chosenCommunityFixture);
      const fake = at(fakes, 0);
      await (await registry.removeFreeNode(fake.address)).wait();
      await expect(registry.connect(fake).optIn("12D3KooWBackAgain", [], "0x")).to.emit(
        registry,
        "NodeOptedIn",
      );
      expect((await registry.nextFreeNodes(10)).at(-1)).to.equal(fake.address);
      expect(await registry.nextFreeNodes(10)).to.include(at(honest, 4).address);
    });
  });

  describe("formCommunityWith", function () {
    it("reverts with CommunityRegistryNodeNotFree for a serving, unknown or removed node", async function () {
      const { registry, stranger, fakes, honest } = await loadFixture(chosenCommunityFixture);
      await (await registry.removeFreeNode(at(fakes, 3).address)).wait();
      for (const bad of [at(honest, 0).address, stranger.address, at(fakes, 3).address, ethers.ZeroAddress]) {
        await expect(registry.formCommunityWith([at(honest, 4).address, bad]))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeNotFree")
          .withArgs(bad);
      }
    });

    it("reverts with CommunityRegistryDuplicateMember for a node named twice", async function () {
      const { registry, honest } = await loadFixture(deployFixture);
      const twice = at(honest, 1).address;
      await expect(registry.formCommunityWith([at(honest, 0).address, twice, twice]))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryDuplicateMember")
        .withArgs(1n, twice);
    });

    for (const size of [0, 1, 65]) {
      it(`reverts with CommunityRegistryInvalidSize for ${size} nodes`, async function () {
        const { registry, honest } = await loadFixture(deployFixture);
        const nodes = Array.from({ length: size }, (_, i) => at(honest, i % honest.length).address);
        await expect(registry.formCommunityWith(nodes))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryInvalidSize")
          .withArgs(BigInt(size));
      });
    }
  });

  describe("replaceMemberWith", function () {
    it("reverts with CommunityRegistryDuplicateMember for a member of the same community, itself included", async function () {
      const { registry, honest } = await loadFixture(chosenCommunityFixture);
      for (const member of [at(honest, 1), at(honest, 2)]) {
        await expect(registry.replaceMemberWith(1, 2, member.address))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryDuplicateMember")
          .withArgs(1n, member.address);
      }
    });

    it("reverts with CommunityRegistryNodeNotFree for a member of another community or a stranger", async function () {
      const { registry, stranger, fakes, honest } = await loadFixture(chosenCommunityFixture);
      await (await registry.formCommunityWith(addressesOf(fakes.slice(0, 2)))).wait();
      for (const bad of [at(fakes, 0).address, stranger.address]) {
        await expect(registry.replaceMemberWith(1, 0, bad))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeNotFree")
          .withArgs(bad);
      }
      expect(await registry.communityMember(1, 0)).to.equal(at(honest, 0).address);
    });

    it("reverts with CommunityRegistryUnknownCommunity or CommunityRegistryInvalidSlot", async function () {
      const { registry, honest } = await loadFixture(chosenCommunityFixture);
      const free = at(honest, 4).address;
      await expect(registry.replaceMemberWith(2, 0, free))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryUnknownCommunity")
        .withArgs(2n);
      await expect(registry.replaceMemberWith(1, 4, free))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryInvalidSlot")
        .withArgs(1n, 4n);
    });
  });

  describe("removeFreeNode", function () {
    it("reverts with CommunityRegistryNodeNotFree for a serving node, an unknown one and one already removed", async function () {
      const { registry, stranger, fakes, honest } = await loadFixture(chosenCommunityFixture);
      await (await registry.removeFreeNode(at(fakes, 0).address)).wait();
      for (const bad of [at(honest, 0).address, stranger.address, at(fakes, 0).address]) {
        await expect(registry.removeFreeNode(bad))
          .to.be.revertedWithCustomError(registry, "CommunityRegistryNodeNotFree")
          .withArgs(bad);
      }
    });
  });

  describe("when the caller lacks COMMUNITY_MANAGER_ROLE", function () {
    it("formCommunityWith, replaceMemberWith and removeFreeNode revert with AccessControlUnauthorizedAccount, even for a node", async function () {
      const { registry, stranger, fakes, honest } = await loadFixture(chosenCommunityFixture);
      const role = await registry.COMMUNITY_MANAGER_ROLE();
      for (const caller of [stranger, at(fakes, 0)]) {
        const asCaller = registry.connect(caller);
        for (const call of [
          asCaller.formCommunityWith(addressesOf(fakes.slice(0, 2))),
          asCaller.replaceMemberWith(1, 0, at(fakes, 1).address),
          asCaller.removeFreeNode(at(honest, 4).address),
        ]) {
          await expect(call)
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
      }
    });
  });
});
