import { expect } from "chai";
import { AbiCoder } from "ethers";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { addressesOf, at, nodeAccounts, optInAll, namedSigners, registeredImageId } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** The data of one version, distinct per `label`. */
function versionData(label: string) {
  return {
    root: ethers.id(`root ${label}`),
    // A CIDv1 in binary form: version 1, raw codec, sha2-256 multihash.
    manifestCid: ethers.concat(["0x01551220", ethers.sha256(ethers.toUtf8Bytes(`manifest ${label}`))]),
  };
}

/** `uint256(keccak256(abi.encode(registrant, root)))`, computed off chain. */
function expectedImageId(registrant: string, root: string): bigint {
  return BigInt(
    ethers.keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [registrant, root])),
  );
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

/** An image (`imageId`) registered by `owner` with community 1, `editor` granted. */
async function imageFixture() {
  const fixture = await deployFixture();
  const { registry, owner, editor } = fixture;
  const v1 = versionData("v1");
  const imageId = await registeredImageId(
    registry,
    registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid),
  );
  await (await registry.connect(owner).grantEditor(imageId, editor.address)).wait();
  return { ...fixture, v1, imageId };
}

describe("ImageRegistry", function () {
  describe("constants", function () {
    it("puts the manifest leaf at index 2^256 - 1 and allows 16 replicas", async function () {
      const { registry } = await loadFixture(deployFixture);
      expect(await registry.MANIFEST_LEAF_INDEX()).to.equal(ethers.MaxUint256);
      expect(await registry.MAX_REPLICAS()).to.equal(16n);
    });
  });

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
      await expect(registry.connect(owner).addVersion(imageId, v2.root, v2.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(imageId, 2n, 1n, owner.address, v2.manifestCid);
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
      await registry.connect(editor).addVersion(imageId, v2.root, v2.manifestCid);
      await expect(registry.connect(editor).addVersion(imageId, v3.root, v3.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(imageId, 3n, 1n, editor.address, v3.manifestCid);
      expect(await registry.versionRoot(imageId, 1)).to.equal(v1.root);
      expect(await registry.versionRoot(imageId, 2)).to.equal(v2.root);
      expect(await registry.versionRoot(imageId, 3)).to.equal(v3.root);
    });

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

    it("reports community 0 for a replicated image", async function () {
      const { registry, owner, freeNodes } = await loadFixture(deployFixture);
      const v1 = versionData("r1");
      const v2 = versionData("r2");
      const imageId = await registeredImageId(
        registry,
        registry.connect(owner).registerReplicatedImage([at(freeNodes, 0).address], v1.root, v1.manifestCid),
      );
      await expect(registry.connect(owner).addVersion(imageId, v2.root, v2.manifestCid))
        .to.emit(registry, "VersionAdded")
        .withArgs(imageId, 2n, 0n, owner.address, v2.manifestCid);
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
