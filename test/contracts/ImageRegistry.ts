import { expect } from "chai";
import { network } from "hardhat";

import { addressesOf, at, nodeAccounts, optInAll, registeredImageId } from "./helpers.js";
import { imageFixtures, versionData } from "./image-fixtures.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const { deployFixture, imageFixture } = imageFixtures(connection);

describe("ImageRegistry", function () {
  describe("constants", function () {
    it("puts the manifest leaf at index 2^256 - 1 and allows 16 replicas", async function () {
      const { registry } = await loadFixture(deployFixture);
      expect(await registry.MANIFEST_LEAF_INDEX()).to.equal(ethers.MaxUint256);
      expect(await registry.MAX_REPLICAS()).to.equal(16n);
    });
  });

  describe("registerImage", function () {
    it("registers version 1 with the community and emits ImageRegistered", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const v1 = versionData("a");
      const imageId = await registry.imageIdOf(owner.address, v1.root);
      await expect(registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid))
        .to.emit(registry, "ImageRegistered")
        .withArgs(imageId, owner.address, 1n, v1.manifestCid);

      const info = await registry.imageInfo(imageId);
      expect([
        info.owner,
        info.communityId,
        info.fragmentCount,
        info.versionCount,
        info.isPublic,
      ]).to.deep.equal([owner.address, 1n, 4n, 1n, false]);
      expect(await registry.versionRoot(imageId, 1)).to.equal(v1.root);
      expect(await registry.replicas(imageId)).to.deep.equal([]);
    });

    for (const communityId of [0, 2]) {
      it(`reverts with ImageRegistryUnknownCommunity for community ${communityId}`, async function () {
        const { registry, owner } = await loadFixture(deployFixture);
        const { root, manifestCid } = versionData("a");
        await expect(registry.connect(owner).registerImage(communityId, 4, root, manifestCid))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownCommunity")
          .withArgs(BigInt(communityId));
      });
    }

    it("reverts with ImageRegistryFragmentCountMismatch when the count is not the community size", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("a");
      await expect(registry.connect(owner).registerImage(1, 9, root, manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryFragmentCountMismatch")
        .withArgs(1n, 4n, 9n);
    });

    it("reverts with ImageRegistryEmptyRoot for a zero root", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { manifestCid } = versionData("a");
      await expect(
        registry.connect(owner).registerImage(1, 4, ethers.ZeroHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyRoot");
    });

    it("reverts with ImageRegistryEmptyManifestCid for an empty manifest CID", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { root } = versionData("a");
      await expect(registry.connect(owner).registerImage(1, 4, root, "0x")).to.be.revertedWithCustomError(
        registry,
        "ImageRegistryEmptyManifestCid",
      );
    });
  });

  describe("registerReplicatedImage", function () {
    it("registers a whole-file image on the named nodes and tells each node", async function () {
      const { registry, owner, members, freeNodes } = await loadFixture(deployFixture);
      // Any opted-in node qualifies, free or serving a community.
      const replicaNodes = addressesOf([at(freeNodes, 1), at(members, 2), at(freeNodes, 0)]);
      const v1 = versionData("r");
      const imageId = await registry.imageIdOf(owner.address, v1.root);
      const tx = registry.connect(owner).registerReplicatedImage(replicaNodes, v1.root, v1.manifestCid);
      await expect(tx)
        .to.emit(registry, "ImageRegistered")
        .withArgs(imageId, owner.address, 0n, v1.manifestCid);
      for (const node of replicaNodes) {
        await expect(tx).to.emit(registry, "ReplicaAssigned").withArgs(imageId, node);
      }

      const info = await registry.imageInfo(imageId);
      expect([info.owner, info.communityId, info.fragmentCount, info.versionCount]).to.deep.equal([
        owner.address,
        0n,
        1n,
        1n,
      ]);
      expect(await registry.replicas(imageId)).to.deep.equal(replicaNodes);
      expect(await registry.versionRoot(imageId, 1)).to.equal(v1.root);
    });

    it("accepts 16 replicas", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const nodes = await nodeAccounts(ethers, networkHelpers, 16, 100);
      await optInAll(registry, nodes, 100);
      const { root, manifestCid } = versionData("r");
      const imageId = await registeredImageId(
        registry,
        registry.connect(owner).registerReplicatedImage(addressesOf(nodes), root, manifestCid),
      );
      expect(await registry.replicas(imageId)).to.deep.equal(addressesOf(nodes));
    });

    for (const count of [0, 17]) {
      it(`reverts with ImageRegistryInvalidReplicaCount for ${count} nodes`, async function () {
        const { registry, owner, freeNodes } = await loadFixture(deployFixture);
        const { root, manifestCid } = versionData("r");
        const nodes = Array.from({ length: count }, () => at(freeNodes, 0).address);
        await expect(registry.connect(owner).registerReplicatedImage(nodes, root, manifestCid))
          .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidReplicaCount")
          .withArgs(BigInt(count));
      });
    }

    it("reverts with ImageRegistryNodeNotOptedIn for a node that is not opted in", async function () {
      const { registry, owner, freeNodes, stranger } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("r");
      await expect(
        registry
          .connect(owner)
          .registerReplicatedImage([at(freeNodes, 0).address, stranger.address], root, manifestCid),
      )
        .to.be.revertedWithCustomError(registry, "ImageRegistryNodeNotOptedIn")
        .withArgs(stranger.address);
    });

    it("reverts with ImageRegistryDuplicateReplica for a node named twice", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("r");
      const [a, b] = addressesOf(freeNodes) as [string, string];
      await expect(registry.connect(owner).registerReplicatedImage([a, b, a], root, manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryDuplicateReplica")
        .withArgs(a);
    });

    it("reverts with the empty-data errors", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("r");
      const nodes = [at(freeNodes, 0).address];
      await expect(
        registry.connect(owner).registerReplicatedImage(nodes, ethers.ZeroHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyRoot");
      await expect(
        registry.connect(owner).registerReplicatedImage(nodes, root, "0x"),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyManifestCid");
    });
  });

  describe("addVersion", function () {
    it("adds version 2 for the owner and emits VersionAdded with the community", async function () {
      const { registry, owner, imageId } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      const { versionBlock } = await registry.imageInfo(imageId);
      await expect(registry.connect(owner).addVersion(imageId, v2.root, v2.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(imageId, 2n, 1n, owner.address, v2.manifestCid, versionBlock);
      expect((await registry.imageInfo(imageId)).versionCount).to.equal(2n);
      expect(await registry.versionRoot(imageId, 2)).to.equal(v2.root);
    });

    it("lets an editor add a version and keeps every earlier root", async function () {
      const { registry, editor, v1, imageId } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      const v3 = versionData("v3");
      expect(await registry.connect(editor).addVersion.staticCall(imageId, v2.root, v2.manifestCid)).to.equal(
        2n,
      );
      const v2Tx = await registry.connect(editor).addVersion(imageId, v2.root, v2.manifestCid);
      const v2Block = (await v2Tx.wait())?.blockNumber;
      await expect(registry.connect(editor).addVersion(imageId, v3.root, v3.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(imageId, 3n, 1n, editor.address, v3.manifestCid, v2Block);
      expect(await registry.versionRoot(imageId, 1)).to.equal(v1.root);
      expect(await registry.versionRoot(imageId, 2)).to.equal(v2.root);
      expect(await registry.versionRoot(imageId, 3)).to.equal(v3.root);
    });

    it("reports community 0 for a replicated image", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const v1 = versionData("r1");
      const v2 = versionData("r2");
      const imageId = await registeredImageId(
        registry,
        registry.connect(owner).registerReplicatedImage([at(freeNodes, 0).address], v1.root, v1.manifestCid),
      );
      const { versionBlock } = await registry.imageInfo(imageId);
      await expect(registry.connect(owner).addVersion(imageId, v2.root, v2.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(imageId, 2n, 0n, owner.address, v2.manifestCid, versionBlock);
    });

    it("records the block of every version: the latest in imageInfo, each earlier one in the next event", async function () {
      const { registry, owner, imageId } = await loadFixture(imageFixture);
      const blocks = [Number((await registry.imageInfo(imageId)).versionBlock)];
      for (const label of ["w2", "w3"]) {
        const v = versionData(label);
        const receipt = await (
          await registry.connect(owner).addVersion(imageId, v.root, v.manifestCid)
        ).wait();
        if (receipt === null) throw new Error("not mined");
        blocks.push(receipt.blockNumber);
        expect((await registry.imageInfo(imageId)).versionBlock).to.equal(BigInt(receipt.blockNumber));
      }
      const [v1Block, v2Block, v3Block] = blocks as [number, number, number];
      const [registered] = await registry.queryFilter(
        registry.filters.ImageRegistered(imageId),
        v1Block,
        v1Block,
      );
      expect(registered?.args.imageId).to.equal(imageId);
      const [v3] = await registry.queryFilter(registry.filters.VersionAdded(imageId, 3n), v3Block, v3Block);
      expect(v3?.args.previousVersionBlock).to.equal(BigInt(v2Block));
      const [v2] = await registry.queryFilter(registry.filters.VersionAdded(imageId, 2n), v2Block, v2Block);
      expect(v2?.args.previousVersionBlock).to.equal(BigInt(v1Block));
    });

    it("reverts with ImageRegistryNotEditor for an account that is neither owner nor editor", async function () {
      const { registry, stranger, imageId } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      await expect(registry.connect(stranger).addVersion(imageId, v2.root, v2.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotEditor")
        .withArgs(imageId, stranger.address);
    });

    it("reverts with ImageRegistryNotEditor for a revoked editor", async function () {
      const { registry, owner, editor, imageId } = await loadFixture(imageFixture);
      await registry.connect(owner).revokeEditor(imageId, editor.address);
      const v2 = versionData("v2");
      await expect(registry.connect(editor).addVersion(imageId, v2.root, v2.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotEditor")
        .withArgs(imageId, editor.address);
    });

    it("reverts with ImageRegistryUnknownImage for an unknown image", async function () {
      const { registry, owner, stranger, v1 } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      // The same root registered by someone else, and a root never registered.
      for (const unknown of [
        await registry.imageIdOf(stranger.address, v1.root),
        await registry.imageIdOf(owner.address, v2.root),
      ]) {
        await expect(registry.connect(owner).addVersion(unknown, v2.root, v2.manifestCid))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
          .withArgs(unknown);
      }
    });

    it("reverts with the empty-data errors", async function () {
      const { registry, owner, imageId } = await loadFixture(imageFixture);
      const { root, manifestCid } = versionData("v2");
      await expect(
        registry.connect(owner).addVersion(imageId, ethers.ZeroHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyRoot");
      await expect(registry.connect(owner).addVersion(imageId, root, "0x")).to.be.revertedWithCustomError(
        registry,
        "ImageRegistryEmptyManifestCid",
      );
    });
  });
});
