import { expect } from "chai";
import { network } from "hardhat";

import { at, registeredImageId } from "./helpers.js";
import { expectedImageId, imageFixtures, versionData } from "./image-fixtures.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const { deployFixture, imageFixture } = imageFixtures(connection);

describe("ImageRegistry image ids", function () {
  describe("imageIdOf", function () {
    it("is uint256(keccak256(abi.encode(registrant, root)))", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      const roots = [
        versionData("a").root,
        versionData("b").root,
        ethers.ZeroHash,
        ethers.toBeHex(ethers.MaxUint256, 32),
      ];
      for (const registrant of [owner.address, stranger.address, ethers.ZeroAddress]) {
        for (const root of roots) {
          expect(await registry.imageIdOf(registrant, root), `${registrant} ${root}`).to.equal(
            expectedImageId(registrant, root),
          );
        }
      }
    });

    it("differs between registrants and between roots", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      const a = versionData("a").root;
      const b = versionData("b").root;
      const ids = new Set([
        await registry.imageIdOf(owner.address, a),
        await registry.imageIdOf(stranger.address, a),
        await registry.imageIdOf(owner.address, b),
        await registry.imageIdOf(stranger.address, b),
      ]);
      expect(ids.size).to.equal(4);
    });
  });

  describe("registerImage", function () {
    it("returns and emits imageIdOf(caller, root) as the id", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("a");
      const imageId = await registry.imageIdOf(owner.address, root);
      expect(imageId).to.equal(expectedImageId(owner.address, root));
      expect(await registry.connect(owner).registerImage.staticCall(1, 4, root, manifestCid)).to.equal(
        imageId,
      );
      expect(
        await registeredImageId(registry, registry.connect(owner).registerImage(1, 4, root, manifestCid)),
      ).to.equal(imageId);
    });

    it("registers images with different roots under different ids", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const a = versionData("a");
      const b = versionData("b");
      const asOwner = registry.connect(owner);
      const idA = await registeredImageId(registry, asOwner.registerImage(1, 4, a.root, a.manifestCid));
      const idB = await registeredImageId(registry, asOwner.registerImage(1, 4, b.root, b.manifestCid));
      expect(idA).to.not.equal(idB);
      expect(await registry.versionRoot(idA, 1)).to.equal(a.root);
      expect(await registry.versionRoot(idB, 1)).to.equal(b.root);
    });

    it("reverts with ImageRegistryImageExists when the caller registers the same root again", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const v1 = versionData("a");
      const asOwner = registry.connect(owner);
      const imageId = await registeredImageId(registry, asOwner.registerImage(1, 4, v1.root, v1.manifestCid));
      // The id depends on the caller and the root alone, whatever the manifest CID or storage mode.
      for (const manifestCid of [v1.manifestCid, versionData("other").manifestCid]) {
        await expect(asOwner.registerImage(1, 4, v1.root, manifestCid))
          .to.be.revertedWithCustomError(registry, "ImageRegistryImageExists")
          .withArgs(imageId);
      }
      await expect(asOwner.registerReplicatedImage([at(freeNodes, 0).address], v1.root, v1.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryImageExists")
        .withArgs(imageId);
      const info = await registry.imageInfo(imageId);
      expect([info.communityId, info.versionCount]).to.deep.equal([1n, 1n]);
    });

    it("keeps the id taken after the image changed owner", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      const v1 = versionData("a");
      const imageId = await registeredImageId(
        registry,
        registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid),
      );
      await (await registry.connect(owner).transferImageOwnership(imageId, stranger.address)).wait();
      await (await registry.connect(stranger).acceptImageOwnership(imageId)).wait();
      await expect(registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryImageExists")
        .withArgs(imageId);
      expect((await registry.imageInfo(imageId)).owner).to.equal(stranger.address);
    });

    it("lets another caller register the same root under its own id", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      const v1 = versionData("a");
      const ownerImage = await registeredImageId(
        registry,
        registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid),
      );
      const strangerImage = await registry.imageIdOf(stranger.address, v1.root);
      expect(strangerImage).to.not.equal(ownerImage);
      await expect(registry.connect(stranger).registerImage(1, 4, v1.root, v1.manifestCid))
        .to.emit(registry, "ImageRegistered")
        .withArgs(strangerImage, stranger.address, 1n, v1.manifestCid);
      expect((await registry.imageInfo(strangerImage)).owner).to.equal(stranger.address);
      expect((await registry.imageInfo(ownerImage)).owner).to.equal(owner.address);
      expect(await registry.versionRoot(strangerImage, 1)).to.equal(v1.root);
    });
  });

  describe("registerReplicatedImage", function () {
    it("returns and emits imageIdOf(caller, root) as the id", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("r");
      const nodes = [at(freeNodes, 0).address];
      const imageId = await registry.imageIdOf(owner.address, root);
      expect(imageId).to.equal(expectedImageId(owner.address, root));
      expect(
        await registry.connect(owner).registerReplicatedImage.staticCall(nodes, root, manifestCid),
      ).to.equal(imageId);
      expect(
        await registeredImageId(
          registry,
          registry.connect(owner).registerReplicatedImage(nodes, root, manifestCid),
        ),
      ).to.equal(imageId);
    });

    it("reverts with ImageRegistryImageExists when the caller registers the same root again", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const v1 = versionData("r");
      const asOwner = registry.connect(owner);
      const imageId = await registeredImageId(
        registry,
        asOwner.registerReplicatedImage([at(freeNodes, 0).address], v1.root, v1.manifestCid),
      );
      // Even on other nodes, with another manifest CID, or with a community.
      await expect(
        asOwner.registerReplicatedImage(
          [at(freeNodes, 1).address],
          v1.root,
          versionData("other").manifestCid,
        ),
      )
        .to.be.revertedWithCustomError(registry, "ImageRegistryImageExists")
        .withArgs(imageId);
      await expect(asOwner.registerImage(1, 4, v1.root, v1.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryImageExists")
        .withArgs(imageId);
      expect(await registry.replicas(imageId)).to.deep.equal([at(freeNodes, 0).address]);
    });

    it("lets another caller register the same root under its own id", async function () {
      const { registry, owner, stranger, freeNodes } = await loadFixture(deployFixture);
      const v1 = versionData("r");
      const ownerImage = await registeredImageId(
        registry,
        registry.connect(owner).registerReplicatedImage([at(freeNodes, 0).address], v1.root, v1.manifestCid),
      );
      const strangerImage = await registry.imageIdOf(stranger.address, v1.root);
      expect(strangerImage).to.not.equal(ownerImage);
      await expect(
        registry
          .connect(stranger)
          .registerReplicatedImage([at(freeNodes, 1).address], v1.root, v1.manifestCid),
      )
        .to.emit(registry, "ImageRegistered")
        .withArgs(strangerImage, stranger.address, 0n, v1.manifestCid);
      expect((await registry.imageInfo(strangerImage)).owner).to.equal(stranger.address);
      expect(await registry.replicas(strangerImage)).to.deep.equal([at(freeNodes, 1).address]);
      expect((await registry.imageInfo(ownerImage)).owner).to.equal(owner.address);
      expect(await registry.replicas(ownerImage)).to.deep.equal([at(freeNodes, 0).address]);
    });
  });

  describe("addVersion", function () {
    it("keeps the image's id when versions are added", async function () {
      const { registry, owner, v1, imageId } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      await (await registry.connect(owner).addVersion(imageId, v2.root, v2.manifestCid)).wait();
      // Version 1's root still names the image (registering it again fails); version 2's names none.
      await expect(registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryImageExists")
        .withArgs(imageId);
      const v2Id = await registry.imageIdOf(owner.address, v2.root);
      await expect(registry.imageInfo(v2Id))
        .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
        .withArgs(v2Id);
      expect((await registry.imageInfo(imageId)).versionCount).to.equal(2n);
    });
  });
});
