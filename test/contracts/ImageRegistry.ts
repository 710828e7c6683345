import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { addressesOf, at, nodeAccounts, optInAll, namedSigners } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** The data of one version, distinct per `label`. */
function versionData(label: string) {
  return {
    root: ethers.id(`root ${label}`),
    contentHash: ethers.sha256(ethers.toUtf8Bytes(`pixels ${label}`)),
    // A CIDv1 in binary form: version 1, raw codec, sha2-256 multihash.
    manifestCid: ethers.concat(["0x01551220", ethers.sha256(ethers.toUtf8Bytes(`manifest ${label}`))]),
  };
}

/** Community 1 of 4 members and two free nodes; nothing registered. */
async function deployFixture() {
  const accounts = await namedSigners(ethers, ["admin", "owner", "editor", "reader", "stranger"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  const nodes = await nodeAccounts(ethers, networkHelpers, 6);
  await optInAll(registry, nodes);
  await (await registry.formCommunity(4)).wait();
  return {
    registry,
    ...accounts,
    members: nodes.slice(0, 4),
    freeNodes: nodes.slice(4),
  };
}

/** Image 1 registered by `owner` with community 1, `editor` granted. */
async function imageFixture() {
  const fixture = await deployFixture();
  const { registry, owner, editor } = fixture;
  const v1 = versionData("v1");
  await (await registry.connect(owner).registerImage(1, 4, v1.root, v1.contentHash, v1.manifestCid)).wait();
  await (await registry.connect(owner).grantEditor(1, editor.address)).wait();
  return { ...fixture, v1 };
}

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
      await expect(registry.connect(owner).registerImage(1, 4, v1.root, v1.contentHash, v1.manifestCid))
        .to.emit(registry, "ImageRegistered")
        .withArgs(1n, owner.address, 1n, v1.contentHash, v1.manifestCid);

      expect(await registry.imageCount()).to.equal(1n);
      const info = await registry.imageInfo(1);
      expect([
        info.owner,
        info.communityId,
        info.fragmentCount,
        info.versionCount,
        info.isPublic,
      ]).to.deep.equal([owner.address, 1n, 4n, 1n, false]);
      expect(await registry.versionRoot(1, 1)).to.equal(v1.root);
      expect(await registry.replicas(1)).to.deep.equal([]);
    });

    it("numbers images from 1 and returns the id", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      const { root, contentHash, manifestCid } = versionData("a");
      expect(
        await registry.connect(owner).registerImage.staticCall(1, 4, root, contentHash, manifestCid),
      ).to.equal(1n);
      await registry.connect(owner).registerImage(1, 4, root, contentHash, manifestCid);
      await expect(registry.connect(stranger).registerImage(1, 4, root, contentHash, manifestCid))
        .to.emit(registry, "ImageRegistered")
        .withArgs(2n, stranger.address, 1n, contentHash, manifestCid);
      expect((await registry.imageInfo(2)).owner).to.equal(stranger.address);
    });

    for (const communityId of [0, 2]) {
      it(`reverts with ImageRegistryUnknownCommunity for community ${communityId}`, async function () {
        const { registry, owner } = await loadFixture(deployFixture);
        const { root, contentHash, manifestCid } = versionData("a");
        await expect(registry.connect(owner).registerImage(communityId, 4, root, contentHash, manifestCid))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownCommunity")
          .withArgs(BigInt(communityId));
      });
    }

    it("reverts with ImageRegistryFragmentCountMismatch when the count is not the community size", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { root, contentHash, manifestCid } = versionData("a");
      await expect(registry.connect(owner).registerImage(1, 9, root, contentHash, manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryFragmentCountMismatch")
        .withArgs(1n, 4n, 9n);
    });

    it("reverts with ImageRegistryEmptyRoot for a zero root", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { contentHash, manifestCid } = versionData("a");
      await expect(
        registry.connect(owner).registerImage(1, 4, ethers.ZeroHash, contentHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyRoot");
    });

    it("reverts with ImageRegistryEmptyContentHash for a zero content hash", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { root, manifestCid } = versionData("a");
      await expect(
        registry.connect(owner).registerImage(1, 4, root, ethers.ZeroHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyContentHash");
    });

    it("reverts with ImageRegistryEmptyManifestCid for an empty manifest CID", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const { root, contentHash } = versionData("a");
      await expect(
        registry.connect(owner).registerImage(1, 4, root, contentHash, "0x"),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyManifestCid");
    });
  });

  describe("registerReplicatedImage", function () {
    it("registers a whole-file image on the named nodes and tells each node", async function () {
      const { registry, owner, members, freeNodes } = await loadFixture(deployFixture);
      // Any opted-in node qualifies, free or serving a community.
      const replicaNodes = addressesOf([at(freeNodes, 1), at(members, 2), at(freeNodes, 0)]);
      const v1 = versionData("r");
      const tx = registry
        .connect(owner)
        .registerReplicatedImage(replicaNodes, v1.root, v1.contentHash, v1.manifestCid);
      await expect(tx)
        .to.emit(registry, "ImageRegistered")
        .withArgs(1n, owner.address, 0n, v1.contentHash, v1.manifestCid);
      for (const node of replicaNodes) {
        await expect(tx).to.emit(registry, "ReplicaAssigned").withArgs(1n, node);
      }

      const info = await registry.imageInfo(1);
      expect([info.communityId, info.fragmentCount, info.versionCount]).to.deep.equal([0n, 1n, 1n]);
      expect(await registry.replicas(1)).to.deep.equal(replicaNodes);
      expect(await registry.versionRoot(1, 1)).to.equal(v1.root);
    });

    it("returns the new image's id", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const { root, contentHash, manifestCid } = versionData("r");
      expect(
        await registry
          .connect(owner)
          .registerReplicatedImage.staticCall([at(freeNodes, 0).address], root, contentHash, manifestCid),
      ).to.equal(1n);
    });

    it("accepts 16 replicas", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      const nodes = await nodeAccounts(ethers, networkHelpers, 16, 100);
      await optInAll(registry, nodes, 100);
      const { root, contentHash, manifestCid } = versionData("r");
      await registry
        .connect(owner)
        .registerReplicatedImage(addressesOf(nodes), root, contentHash, manifestCid);
      expect(await registry.replicas(1)).to.deep.equal(addressesOf(nodes));
    });

    for (const count of [0, 17]) {
      it(`reverts with ImageRegistryInvalidReplicaCount for ${count} nodes`, async function () {
        const { registry, owner, freeNodes } = await loadFixture(deployFixture);
        const { root, contentHash, manifestCid } = versionData("r");
        const nodes = Array.from({ length: count }, () => at(freeNodes, 0).address);
        await expect(registry.connect(owner).registerReplicatedImage(nodes, root, contentHash, manifestCid))
          .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidReplicaCount")
          .withArgs(BigInt(count));
      });
    }

    it("reverts with ImageRegistryNodeNotOptedIn for a node that is not opted in", async function () {
      const { registry, owner, freeNodes, stranger } = await loadFixture(deployFixture);
      const { root, contentHash, manifestCid } = versionData("r");
      await expect(
        registry
          .connect(owner)
          .registerReplicatedImage(
            [at(freeNodes, 0).address, stranger.address],
            root,
            contentHash,
            manifestCid,
          ),
      )
        .to.be.revertedWithCustomError(registry, "ImageRegistryNodeNotOptedIn")
        .withArgs(stranger.address);
    });

    it("reverts with ImageRegistryDuplicateReplica for a node named twice", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const { root, contentHash, manifestCid } = versionData("r");
      const [a, b] = addressesOf(freeNodes) as [string, string];
      await expect(registry.connect(owner).registerReplicatedImage([a, b, a], root, contentHash, manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryDuplicateReplica")
        .withArgs(a);
    });

    it("reverts with ImageRegistryEmptyRoot for a zero root", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const { contentHash, manifestCid } = versionData("r");
      await expect(
        registry
          .connect(owner)
          .registerReplicatedImage([at(freeNodes, 0).address], ethers.ZeroHash, contentHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyRoot");
    });
  });

  describe("addVersion", function () {
    it("adds version 2 for the owner and emits VersionAdded with the community", async function () {
      const { registry, owner } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      await expect(registry.connect(owner).addVersion(1, v2.root, v2.contentHash, v2.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(1n, 2n, 1n, owner.address, v2.contentHash, v2.manifestCid);
      expect((await registry.imageInfo(1)).versionCount).to.equal(2n);
      expect(await registry.versionRoot(1, 2)).to.equal(v2.root);
    });

    it("lets an editor add a version and keeps every earlier root", async function () {
      const { registry, editor, v1 } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      const v3 = versionData("v3");
      expect(
        await registry.connect(editor).addVersion.staticCall(1, v2.root, v2.contentHash, v2.manifestCid),
      ).to.equal(2n);
      await registry.connect(editor).addVersion(1, v2.root, v2.contentHash, v2.manifestCid);
      await expect(registry.connect(editor).addVersion(1, v3.root, v3.contentHash, v3.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(1n, 3n, 1n, editor.address, v3.contentHash, v3.manifestCid);
      expect(await registry.versionRoot(1, 1)).to.equal(v1.root);
      expect(await registry.versionRoot(1, 2)).to.equal(v2.root);
      expect(await registry.versionRoot(1, 3)).to.equal(v3.root);
    });

    it("reports community 0 for a replicated image", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const v1 = versionData("r1");
      const v2 = versionData("r2");
      await registry
        .connect(owner)
        .registerReplicatedImage([at(freeNodes, 0).address], v1.root, v1.contentHash, v1.manifestCid);
      await expect(registry.connect(owner).addVersion(1, v2.root, v2.contentHash, v2.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(1n, 2n, 0n, owner.address, v2.contentHash, v2.manifestCid);
    });

    it("reverts with ImageRegistryNotEditor for an account that is neither owner nor editor", async function () {
      const { registry, stranger } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      await expect(registry.connect(stranger).addVersion(1, v2.root, v2.contentHash, v2.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotEditor")
        .withArgs(1n, stranger.address);
    });

    it("reverts with ImageRegistryNotEditor for a revoked editor", async function () {
      const { registry, owner, editor } = await loadFixture(imageFixture);
      await registry.connect(owner).revokeEditor(1, editor.address);
      const v2 = versionData("v2");
      await expect(registry.connect(editor).addVersion(1, v2.root, v2.contentHash, v2.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotEditor")
        .withArgs(1n, editor.address);
    });

    it("reverts with ImageRegistryUnknownImage for an unknown image", async function () {
      const { registry, owner } = await loadFixture(imageFixture);
      const v2 = versionData("v2");
      await expect(registry.connect(owner).addVersion(2, v2.root, v2.contentHash, v2.manifestCid))
        .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
        .withArgs(2n);
    });

    it("reverts with the empty-data errors", async function () {
      const { registry, owner } = await loadFixture(imageFixture);
      const { root, contentHash, manifestCid } = versionData("v2");
      await expect(
        registry.connect(owner).addVersion(1, ethers.ZeroHash, contentHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyRoot");
      await expect(
        registry.connect(owner).addVersion(1, root, ethers.ZeroHash, manifestCid),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyContentHash");
      await expect(
        registry.connect(owner).addVersion(1, root, contentHash, "0x"),
      ).to.be.revertedWithCustomError(registry, "ImageRegistryEmptyManifestCid");
    });
  });
});
