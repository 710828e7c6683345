import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { allowUploaders, namedSigners, nodeAccounts, optInAll, registeredImageId } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/**
 * An image (`imageId`, community 1 of 2 members) owned by `owner`, private, no editor, no grant;
 * `unknownImageId` is the id of an image `owner` never registered.
 */
async function deployFixture() {
  const accounts = await namedSigners(ethers, ["admin", "owner", "editor", "reader", "stranger", "app"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  await optInAll(registry, await nodeAccounts(ethers, networkHelpers, 2));
  await (await registry.formCommunity(2)).wait();
  await allowUploaders(registry, 1n, [accounts.owner, accounts.editor, accounts.stranger]);
  const manifestCid = ethers.concat(["0x01551220", ethers.sha256("0x01")]);
  const imageId = await registeredImageId(
    registry,
    registry.connect(accounts.owner).registerImage(1, 2, ethers.id("root"), manifestCid),
  );
  const unknownImageId = await registry.imageIdOf(accounts.owner.address, ethers.id("never registered"));
  return { registry, ...accounts, imageId, unknownImageId };
}

describe("ImageRegistry access", function () {
  describe("transferImageOwnership", function () {
    it("hands the image over once accepted and emits ImageOwnershipTransferred", async function () {
      const { registry, owner, stranger, imageId } = await loadFixture(deployFixture);
      await (await registry.connect(owner).transferImageOwnership(imageId, stranger.address)).wait();
      await expect(registry.connect(stranger).acceptImageOwnership(imageId))
        .to.emit(registry, "ImageOwnershipTransferred")
        .withArgs(imageId, owner.address, stranger.address);
      expect((await registry.imageInfo(imageId)).owner).to.equal(stranger.address);
      // The former owner lost every owner right, the new one has them.
      await expect(registry.connect(owner).setPublic(imageId, true))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
        .withArgs(imageId, owner.address);
      await expect(registry.connect(stranger).setPublic(imageId, true)).to.emit(
        registry,
        "ImageVisibilityChanged",
      );
      expect(await registry.canRead(imageId, owner.address)).to.equal(true); // public now
    });

    it("does not emit when the new owner is the current one", async function () {
      const { registry, owner, imageId } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).transferImageOwnership(imageId, owner.address)).to.not.emit(
        registry,
        "ImageOwnershipTransferred",
      );
      expect((await registry.imageInfo(imageId)).owner).to.equal(owner.address);
    });

    it("reverts with ImageRegistryInvalidAccount for the zero address", async function () {
      const { registry, owner, imageId } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).transferImageOwnership(imageId, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("grantEditor and revokeEditor", function () {
    it("grants and revokes editing, emitting EditorGranted and EditorRevoked", async function () {
      const { registry, owner, editor, imageId } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).grantEditor(imageId, editor.address))
        .to.emit(registry, "EditorGranted")
        .withArgs(imageId, editor.address);
      expect(await registry.isEditor(imageId, editor.address)).to.equal(true);
      expect(await registry.canRead(imageId, editor.address)).to.equal(true);

      await expect(registry.connect(owner).revokeEditor(imageId, editor.address))
        .to.emit(registry, "EditorRevoked")
        .withArgs(imageId, editor.address);
      expect(await registry.isEditor(imageId, editor.address)).to.equal(false);
      expect(await registry.canRead(imageId, editor.address)).to.equal(false);
    });

    it("does not emit for a repeated grant or a revoke of a non-editor", async function () {
      const { registry, owner, editor, imageId } = await loadFixture(deployFixture);
      await registry.connect(owner).grantEditor(imageId, editor.address);
      await expect(registry.connect(owner).grantEditor(imageId, editor.address)).to.not.emit(
        registry,
        "EditorGranted",
      );
      await registry.connect(owner).revokeEditor(imageId, editor.address);
      await expect(registry.connect(owner).revokeEditor(imageId, editor.address)).to.not.emit(
        registry,
        "EditorRevoked",
      );
    });

    it("reverts with ImageRegistryInvalidAccount for the zero address", async function () {
      const { registry, owner, imageId } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).grantEditor(imageId, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });

    it("keeps editors out of access management", async function () {
      const { registry, owner, editor, stranger, imageId } = await loadFixture(deployFixture);
      await registry.connect(owner).grantEditor(imageId, editor.address);
      await expect(registry.connect(editor).grantEditor(imageId, stranger.address))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
        .withArgs(imageId, editor.address);
      await expect(registry.connect(editor).grantRead(imageId, stranger.address))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
        .withArgs(imageId, editor.address);
    });
  });

  describe("grantRead and revokeRead", function () {
    it("grants and revokes reading for an account or an application", async function () {
      const { registry, owner, reader, app, imageId } = await loadFixture(deployFixture);
      const application = await registry.getAddress(); // any contract address can be a grantee
      for (const grantee of [reader.address, application]) {
        await expect(registry.connect(owner).grantRead(imageId, grantee))
          .to.emit(registry, "ReadGranted")
          .withArgs(imageId, grantee);
        expect(await registry.hasReadGrant(imageId, grantee)).to.equal(true);
        expect(await registry.canRead(imageId, grantee)).to.equal(true);
      }
      expect(await registry.canRead(imageId, app.address)).to.equal(false);

      await expect(registry.connect(owner).revokeRead(imageId, reader.address))
        .to.emit(registry, "ReadRevoked")
        .withArgs(imageId, reader.address);
      expect(await registry.hasReadGrant(imageId, reader.address)).to.equal(false);
      expect(await registry.canRead(imageId, reader.address)).to.equal(false);
      expect(await registry.canRead(imageId, application)).to.equal(true);
    });

    it("does not emit for a repeated grant or a revoke without a grant", async function () {
      const { registry, owner, reader, imageId } = await loadFixture(deployFixture);
      await registry.connect(owner).grantRead(imageId, reader.address);
      await expect(registry.connect(owner).grantRead(imageId, reader.address)).to.not.emit(
        registry,
        "ReadGranted",
      );
      await registry.connect(owner).revokeRead(imageId, reader.address);
      await expect(registry.connect(owner).revokeRead(imageId, reader.address)).to.not.emit(
        registry,
        "ReadRevoked",
      );
    });

    it("reverts with ImageRegistryInvalidAccount for the zero address", async function () {
      const { registry, owner, imageId } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).grantRead(imageId, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("setPublic", function () {
    it("opens and closes the image to everyone, emitting ImageVisibilityChanged", async function () {
      const { registry, owner, stranger, imageId } = await loadFixture(deployFixture);
      expect(await registry.canRead(imageId, stranger.address)).to.equal(false);
      await expect(registry.connect(owner).setPublic(imageId, true))
        .to.emit(registry, "ImageVisibilityChanged")
        .withArgs(imageId, true);
      expect((await registry.imageInfo(imageId)).isPublic).to.equal(true);
      expect(await registry.canRead(imageId, stranger.address)).to.equal(true);
      expect(await registry.hasReadGrant(imageId, stranger.address)).to.equal(false);

      await expect(registry.connect(owner).setPublic(imageId, false))
        .to.emit(registry, "ImageVisibilityChanged")
        .withArgs(imageId, false);
      expect(await registry.canRead(imageId, stranger.address)).to.equal(false);
    });

    it("does not emit when the visibility is unchanged", async function () {
      const { registry, owner, imageId } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).setPublic(imageId, false)).to.not.emit(
        registry,
        "ImageVisibilityChanged",
      );
    });
  });

  describe("owner-only functions", function () {
    const calls = [
      ["transferImageOwnership", (r: Registry, id: bigint, a: string) => r.transferImageOwnership(id, a)],
      ["grantEditor", (r: Registry, id: bigint, a: string) => r.grantEditor(id, a)],
      ["revokeEditor", (r: Registry, id: bigint, a: string) => r.revokeEditor(id, a)],
      ["grantRead", (r: Registry, id: bigint, a: string) => r.grantRead(id, a)],
      ["revokeRead", (r: Registry, id: bigint, a: string) => r.revokeRead(id, a)],
      ["setPublic", (r: Registry, id: bigint) => r.setPublic(id, true)],
    ] as const;

    for (const [name, call] of calls) {
      it(`${name} reverts with ImageRegistryNotOwner for another account, even an admin`, async function () {
        const { registry, admin, stranger, imageId } = await loadFixture(deployFixture);
        for (const caller of [stranger, admin]) {
          await expect(call(registry.connect(caller), imageId, stranger.address))
            .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
            .withArgs(imageId, caller.address);
        }
      });

      it(`${name} reverts with ImageRegistryUnknownImage for an unknown image`, async function () {
        const { registry, owner, stranger, unknownImageId } = await loadFixture(deployFixture);
        await expect(call(registry.connect(owner), unknownImageId, stranger.address))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
          .withArgs(unknownImageId);
      });
    }
  });

  describe("views", function () {
    it("lets the owner read a private image and no one else", async function () {
      const { registry, owner, stranger, imageId } = await loadFixture(deployFixture);
      expect(await registry.canRead(imageId, owner.address)).to.equal(true);
      expect(await registry.canRead(imageId, stranger.address)).to.equal(false);
      expect(await registry.isEditor(imageId, owner.address)).to.equal(false);
    });

    it("reverts with ImageRegistryUnknownImage for an unknown image", async function () {
      const { registry, owner, unknownImageId: unknown } = await loadFixture(deployFixture);
      for (const call of [
        registry.imageInfo(unknown),
        registry.replicas(unknown),
        registry.versionRoot(unknown, 1),
        registry.verifyFragment(unknown, 1, 0, ethers.ZeroHash, []),
        registry.canRead(unknown, owner.address),
        registry.hasReadGrant(unknown, owner.address),
        registry.isEditor(unknown, owner.address),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
          .withArgs(unknown);
      }
    });

    for (const version of [0, 2]) {
      it(`reverts with ImageRegistryUnknownVersion for version ${version}`, async function () {
        const { registry, imageId } = await loadFixture(deployFixture);
        for (const call of [
          registry.versionRoot(imageId, version),
          registry.verifyFragment(imageId, version, 0, ethers.ZeroHash, []),
        ]) {
          await expect(call)
            .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownVersion")
            .withArgs(imageId, BigInt(version));
        }
      });
    }
  });
});

type Registry = Awaited<ReturnType<typeof deployFixture>>["registry"];
