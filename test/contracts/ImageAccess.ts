import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { namedSigners, nodeAccounts, optInAll } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** Image 1 (community 1 of 2 members) owned by `owner`, private, no editor, no grant. */
async function deployFixture() {
  const accounts = await namedSigners(ethers, ["admin", "owner", "editor", "reader", "stranger", "app"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  await optInAll(registry, await nodeAccounts(ethers, networkHelpers, 2));
  await (await registry.formCommunity(2)).wait();
  const manifestCid = ethers.concat(["0x01551220", ethers.sha256("0x01")]);
  await (
    await registry
      .connect(accounts.owner)
      .registerImage(1, 2, ethers.id("root"), ethers.sha256("0x02"), manifestCid)
  ).wait();
  return { registry, ...accounts };
}

describe("ImageRegistry access", function () {
  describe("transferImageOwnership", function () {
    it("hands the image over and emits ImageOwnershipTransferred", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).transferImageOwnership(1, stranger.address))
        .to.emit(registry, "ImageOwnershipTransferred")
        .withArgs(1n, owner.address, stranger.address);
      expect((await registry.imageInfo(1)).owner).to.equal(stranger.address);
      // The former owner lost every owner right, the new one has them.
      await expect(registry.connect(owner).setPublic(1, true))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
        .withArgs(1n, owner.address);
      await expect(registry.connect(stranger).setPublic(1, true)).to.emit(registry, "ImageVisibilityChanged");
      expect(await registry.canRead(1, owner.address)).to.equal(true); // public now
    });

    it("does not emit when the new owner is the current one", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).transferImageOwnership(1, owner.address)).to.not.emit(
        registry,
        "ImageOwnershipTransferred",
      );
      expect((await registry.imageInfo(1)).owner).to.equal(owner.address);
    });

    it("reverts with ImageRegistryInvalidAccount for the zero address", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).transferImageOwnership(1, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("grantEditor and revokeEditor", function () {
    it("grants and revokes editing, emitting EditorGranted and EditorRevoked", async function () {
      const { registry, owner, editor } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).grantEditor(1, editor.address))
        .to.emit(registry, "EditorGranted")
        .withArgs(1n, editor.address);
      expect(await registry.isEditor(1, editor.address)).to.equal(true);
      expect(await registry.canRead(1, editor.address)).to.equal(true);

      await expect(registry.connect(owner).revokeEditor(1, editor.address))
        .to.emit(registry, "EditorRevoked")
        .withArgs(1n, editor.address);
      expect(await registry.isEditor(1, editor.address)).to.equal(false);
      expect(await registry.canRead(1, editor.address)).to.equal(false);
    });

    it("does not emit for a repeated grant or a revoke of a non-editor", async function () {
      const { registry, owner, editor } = await loadFixture(deployFixture);
      await registry.connect(owner).grantEditor(1, editor.address);
      await expect(registry.connect(owner).grantEditor(1, editor.address)).to.not.emit(
        registry,
        "EditorGranted",
      );
      await registry.connect(owner).revokeEditor(1, editor.address);
      await expect(registry.connect(owner).revokeEditor(1, editor.address)).to.not.emit(
        registry,
        "EditorRevoked",
      );
    });

    it("reverts with ImageRegistryInvalidAccount for the zero address", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).grantEditor(1, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });

    it("keeps editors out of access management", async function () {
      const { registry, owner, editor, stranger } = await loadFixture(deployFixture);
      await registry.connect(owner).grantEditor(1, editor.address);
      await expect(registry.connect(editor).grantEditor(1, stranger.address))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
        .withArgs(1n, editor.address);
      await expect(registry.connect(editor).grantRead(1, stranger.address))
        .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
        .withArgs(1n, editor.address);
    });
  });

  describe("grantRead and revokeRead", function () {
    it("grants and revokes reading for an account or an application", async function () {
      const { registry, owner, reader, app } = await loadFixture(deployFixture);
      const application = await registry.getAddress(); // any contract address can be a grantee
      for (const grantee of [reader.address, application]) {
        await expect(registry.connect(owner).grantRead(1, grantee))
          .to.emit(registry, "ReadGranted")
          .withArgs(1n, grantee);
        expect(await registry.hasReadGrant(1, grantee)).to.equal(true);
        expect(await registry.canRead(1, grantee)).to.equal(true);
      }
      expect(await registry.canRead(1, app.address)).to.equal(false);

      await expect(registry.connect(owner).revokeRead(1, reader.address))
        .to.emit(registry, "ReadRevoked")
        .withArgs(1n, reader.address);
      expect(await registry.hasReadGrant(1, reader.address)).to.equal(false);
      expect(await registry.canRead(1, reader.address)).to.equal(false);
      expect(await registry.canRead(1, application)).to.equal(true);
    });

    it("does not emit for a repeated grant or a revoke without a grant", async function () {
      const { registry, owner, reader } = await loadFixture(deployFixture);
      await registry.connect(owner).grantRead(1, reader.address);
      await expect(registry.connect(owner).grantRead(1, reader.address)).to.not.emit(registry, "ReadGranted");
      await registry.connect(owner).revokeRead(1, reader.address);
      await expect(registry.connect(owner).revokeRead(1, reader.address)).to.not.emit(
        registry,
        "ReadRevoked",
      );
    });

    it("reverts with ImageRegistryInvalidAccount for the zero address", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).grantRead(1, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "ImageRegistryInvalidAccount")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("setPublic", function () {
    it("opens and closes the image to everyone, emitting ImageVisibilityChanged", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      expect(await registry.canRead(1, stranger.address)).to.equal(false);
      await expect(registry.connect(owner).setPublic(1, true))
        .to.emit(registry, "ImageVisibilityChanged")
        .withArgs(1n, true);
      expect((await registry.imageInfo(1)).isPublic).to.equal(true);
      expect(await registry.canRead(1, stranger.address)).to.equal(true);
      expect(await registry.hasReadGrant(1, stranger.address)).to.equal(false);

      await expect(registry.connect(owner).setPublic(1, false))
        .to.emit(registry, "ImageVisibilityChanged")
        .withArgs(1n, false);
      expect(await registry.canRead(1, stranger.address)).to.equal(false);
    });

    it("does not emit when the visibility is unchanged", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      await expect(registry.connect(owner).setPublic(1, false)).to.not.emit(
        registry,
        "ImageVisibilityChanged",
      );
    });
  });

  describe("owner-only functions", function () {
    const calls = [
      ["transferImageOwnership", (r: Registry, id: number, a: string) => r.transferImageOwnership(id, a)],
      ["grantEditor", (r: Registry, id: number, a: string) => r.grantEditor(id, a)],
      ["revokeEditor", (r: Registry, id: number, a: string) => r.revokeEditor(id, a)],
      ["grantRead", (r: Registry, id: number, a: string) => r.grantRead(id, a)],
      ["revokeRead", (r: Registry, id: number, a: string) => r.revokeRead(id, a)],
      ["setPublic", (r: Registry, id: number) => r.setPublic(id, true)],
    ] as const;

    for (const [name, call] of calls) {
      it(`${name} reverts with ImageRegistryNotOwner for another account, even an admin`, async function () {
        const { registry, admin, stranger } = await loadFixture(deployFixture);
        for (const caller of [stranger, admin]) {
          await expect(call(registry.connect(caller), 1, stranger.address))
            .to.be.revertedWithCustomError(registry, "ImageRegistryNotOwner")
            .withArgs(1n, caller.address);
        }
      });

      it(`${name} reverts with ImageRegistryUnknownImage for an unknown image`, async function () {
        const { registry, owner, stranger } = await loadFixture(deployFixture);
        await expect(call(registry.connect(owner), 2, stranger.address))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
          .withArgs(2n);
      });
    }
  });

  describe("views", function () {
    it("lets the owner read a private image and no one else", async function () {
      const { registry, owner, stranger } = await loadFixture(deployFixture);
      expect(await registry.canRead(1, owner.address)).to.equal(true);
      expect(await registry.canRead(1, stranger.address)).to.equal(false);
      expect(await registry.isEditor(1, owner.address)).to.equal(false);
    });

    it("reverts with ImageRegistryUnknownImage for an unknown image", async function () {
      const { registry, owner } = await loadFixture(deployFixture);
      for (const call of [
        registry.imageInfo(2),
        registry.replicas(2),
        registry.versionRoot(2, 1),
        registry.verifyFragment(2, 1, 0, ethers.ZeroHash, []),
        registry.canRead(2, owner.address),
        registry.hasReadGrant(2, owner.address),
        registry.isEditor(2, owner.address),
      ]) {
        await expect(call).to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage").withArgs(2n);
      }
    });

    for (const version of [0, 2]) {
      it(`reverts with ImageRegistryUnknownVersion for version ${version}`, async function () {
        const { registry } = await loadFixture(deployFixture);
        for (const call of [
          registry.versionRoot(1, version),
          registry.verifyFragment(1, version, 0, ethers.ZeroHash, []),
        ]) {
          await expect(call)
            .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownVersion")
            .withArgs(1n, BigInt(version));
        }
      });
    }
  });
});

type Registry = Awaited<ReturnType<typeof deployFixture>>["registry"];
