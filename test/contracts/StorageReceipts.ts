import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { allowUploaders, at, nodeAccounts, optInAll, namedSigners, registeredImageId } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const manifestCid = ethers.concat(["0x01551220", ethers.sha256(ethers.toUtf8Bytes("manifest v1"))]);

/**
 * Community 1 of 4 members keeping `dispImage` (with a second version); `replicatedImage` replicated
 * on two other opted-in nodes; one free node left; `unknownImage` is an id never registered.
 */
async function deployFixture() {
  const { owner, stranger } = await namedSigners(ethers, ["admin", "owner", "stranger"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  const nodes = await nodeAccounts(ethers, networkHelpers, 7);
  await optInAll(registry, nodes);
  await (await registry.formCommunity(4)).wait();
  await allowUploaders(registry, 1n, [owner]);
  const asOwner = registry.connect(owner);
  const dispImage = await registeredImageId(
    registry,
    asOwner.registerImage(1, 4, ethers.id("disp root v1"), manifestCid),
  );
  await (await asOwner.addVersion(dispImage, ethers.id("disp root v2"), manifestCid)).wait();
  const replicas = [at(nodes, 5), at(nodes, 4)];
  const replicatedImage = await registeredImageId(
    registry,
    asOwner.registerReplicatedImage(
      replicas.map((node) => node.address),
      ethers.id("replicated root v1"),
      manifestCid,
    ),
  );
  const unknownImage = await registry.imageIdOf(owner.address, ethers.id("never registered"));
  return {
    registry,
    owner,
    stranger,
    members: nodes.slice(0, 4),
    replicas,
    freeNode: at(nodes, 6),
    dispImage,
    replicatedImage,
    unknownImage,
  };
}

describe("StorageReceipts", function () {
  describe("confirmStorage", function () {
    describe("when the caller is the community member of a slot", function () {
      it("emits StorageConfirmed with its slot, for any existing version", async function () {
        const { registry, members, dispImage } = await loadFixture(deployFixture);
        for (const [slot, member] of members.entries()) {
          await expect(registry.connect(member).confirmStorage(dispImage, 2))
            .to.emit(registry, "StorageConfirmed")
            .withArgs(dispImage, 2n, member.address, BigInt(slot));
        }
        await expect(registry.connect(at(members, 3)).confirmStorage(dispImage, 1))
          .to.emit(registry, "StorageConfirmed")
          .withArgs(dispImage, 1n, at(members, 3).address, 3n);
      });

      it("records a receipt again when asked again (an attestation, not a flag)", async function () {
        const { registry, members, dispImage } = await loadFixture(deployFixture);
        const member = at(members, 1);
        await (await registry.connect(member).confirmStorage(dispImage, 1)).wait();
        await expect(registry.connect(member).confirmStorage(dispImage, 1))
          .to.emit(registry, "StorageConfirmed")
          .withArgs(dispImage, 1n, member.address, 1n);
      });
    });

    describe("when the caller is a replica of a replicated image", function () {
      it("emits StorageConfirmed with its position among the replicas", async function () {
        const { registry, replicas, replicatedImage } = await loadFixture(deployFixture);
        for (const [position, replica] of replicas.entries()) {
          await expect(registry.connect(replica).confirmStorage(replicatedImage, 1))
            .to.emit(registry, "StorageConfirmed")
            .withArgs(replicatedImage, 1n, replica.address, BigInt(position));
        }
      });
    });

    describe("when the caller keeps nothing of the image", function () {
      it("reverts with StorageReceiptsNotStorageNode for a stranger, a free node and a replica of another image", async function () {
        const { registry, stranger, freeNode, replicas, members, dispImage, replicatedImage } =
          await loadFixture(deployFixture);
        for (const [imageId, account] of [
          [dispImage, stranger],
          [dispImage, freeNode],
          [dispImage, at(replicas, 0)],
          [replicatedImage, at(members, 0)],
          [replicatedImage, freeNode],
        ] as const) {
          await expect(registry.connect(account).confirmStorage(imageId, 1))
            .to.be.revertedWithCustomError(registry, "StorageReceiptsNotStorageNode")
            .withArgs(imageId, account.address);
        }
      });

      it("reverts for a member of another community", async function () {
        const { registry, replicas, dispImage } = await loadFixture(deployFixture);
        await (await registry.formCommunity(2)).wait();
        const otherMember = at(replicas, 1);
        expect(await registry.communityMember(2, 0)).to.equal(otherMember.address);
        await expect(registry.connect(otherMember).confirmStorage(dispImage, 1))
          .to.be.revertedWithCustomError(registry, "StorageReceiptsNotStorageNode")
          .withArgs(dispImage, otherMember.address);
      });

      it("reverts for a member that was replaced, and accepts its replacement in the same slot", async function () {
        const { registry, members, replicas, dispImage } = await loadFixture(deployFixture);
        await (await registry.replaceMember(1, 2)).wait();
        // The pool's front node takes the slot (replicas stay in the pool).
        const replacement = at(replicas, 1);
        expect(await registry.communityMember(1, 2)).to.equal(replacement.address);
        await expect(registry.connect(at(members, 2)).confirmStorage(dispImage, 1))
          .to.be.revertedWithCustomError(registry, "StorageReceiptsNotStorageNode")
          .withArgs(dispImage, at(members, 2).address);
        await expect(registry.connect(replacement).confirmStorage(dispImage, 1))
          .to.emit(registry, "StorageConfirmed")
          .withArgs(dispImage, 1n, replacement.address, 2n);
      });
    });

    describe("when the image or version does not exist", function () {
      it("reverts with ImageRegistryUnknownImage or ImageRegistryUnknownVersion", async function () {
        const { registry, members, dispImage, unknownImage } = await loadFixture(deployFixture);
        const member = at(members, 0);
        await expect(registry.connect(member).confirmStorage(unknownImage, 1))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
          .withArgs(unknownImage);
        for (const version of [0, 3]) {
          await expect(registry.connect(member).confirmStorage(dispImage, version))
            .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownVersion")
            .withArgs(dispImage, BigInt(version));
        }
      });
    });
  });
});
