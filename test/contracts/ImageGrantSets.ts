import { expect } from "chai";
import { network } from "hardhat";

import { imageFixtures } from "./image-fixtures.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const { imageFixture } = imageFixtures(connection);

/** `count` distinct addresses that are no account of the network. */
function addresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => ethers.zeroPadValue(ethers.toBeHex(i + 1000), 20));
}

/** The fixture's image with `reader` and `stranger` granted read. */
async function readersFixture() {
  const fixture = await imageFixture();
  const { registry, owner, reader, stranger, imageId } = fixture;
  for (const account of [reader, stranger]) {
    await (await registry.connect(owner).grantRead(imageId, account.address)).wait();
  }
  return fixture;
}

describe("ImageRegistry grant sets", function () {
  describe("readers and editors", function () {
    it("list the current grants, without the owner, and drop a revoked one", async function () {
      const { registry, owner, editor, reader, stranger, imageId } = await loadFixture(readersFixture);
      expect(await registry.editors(imageId)).to.deep.equal([editor.address]);
      expect(await registry.readers(imageId)).to.have.members([reader.address, stranger.address]);
      await expect(registry.connect(owner).revokeRead(imageId, reader.address))
        .to.emit(registry, "ReadRevoked")
        .withArgs(imageId, reader.address);
      expect(await registry.readers(imageId)).to.deep.equal([stranger.address]);
      expect(await registry.canRead(imageId, reader.address)).to.equal(false);
      await expect(registry.connect(owner).revokeEditor(imageId, editor.address)).to.emit(
        registry,
        "EditorRevoked",
      );
      expect(await registry.editors(imageId)).to.deep.equal([]);
      expect(await registry.isEditor(imageId, editor.address)).to.equal(false);
    });

    it("do not emit for a repeated grant or a revocation of no grant", async function () {
      const { registry, owner, reader, outsider, imageId } = await loadFixture(readersFixture);
      await expect(registry.connect(owner).grantRead(imageId, reader.address)).to.not.emit(
        registry,
        "ReadGranted",
      );
      await expect(registry.connect(owner).revokeRead(imageId, outsider.address)).to.not.emit(
        registry,
        "ReadRevoked",
      );
      expect(await registry.readers(imageId)).to.have.lengthOf(2);
    });

    it("start empty in the new grant epoch after a change of owner", async function () {
      const { registry, owner, editor, reader, outsider, imageId } = await loadFixture(readersFixture);
      await (await registry.connect(owner).transferImageOwnership(imageId, outsider.address)).wait();
      await (await registry.connect(outsider).acceptImageOwnership(imageId)).wait();
      expect(await registry.readers(imageId)).to.deep.equal([]);
      expect(await registry.editors(imageId)).to.deep.equal([]);
      expect(await registry.canRead(imageId, reader.address)).to.equal(false);
      await expect(
        registry.connect(outsider).publishKeys(imageId, 1, [editor.address], ["0x" + "00".repeat(81)]),
      )
        .to.be.revertedWithCustomError(registry, "ImageKeysAccountCannotRead")
        .withArgs(imageId, editor.address);
      await (await registry.connect(outsider).grantRead(imageId, reader.address)).wait();
      expect(await registry.readers(imageId)).to.deep.equal([reader.address]);
    });

    it("revert with ImageRegistryUnknownImage for an unknown image", async function () {
      const { registry, imageId } = await loadFixture(readersFixture);
      await expect(registry.readers(imageId + 1n))
        .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
        .withArgs(imageId + 1n);
    });
  });

  describe("caps", function () {
    it("refuse the editor past MAX_EDITORS with ImageRegistryTooManyEditors, and take one after a revocation", async function () {
      const { registry, owner, editor, imageId } = await loadFixture(imageFixture);
      const max = Number(await registry.MAX_EDITORS());
      expect(max).to.equal(32);
      // The fixture granted `editor`: fill the rest.
      const others = addresses(max);
      for (const account of others.slice(0, max - 1)) {
        await (await registry.connect(owner).grantEditor(imageId, account)).wait();
      }
      expect(await registry.editors(imageId)).to.have.lengthOf(max);
      const extra = others[max - 1] ?? "";
      await expect(registry.connect(owner).grantEditor(imageId, extra))
        .to.be.revertedWithCustomError(registry, "ImageRegistryTooManyEditors")
        .withArgs(imageId, max);
      // A repeated grant of a member is not refused when full: it changes nothing.
      await expect(registry.connect(owner).grantEditor(imageId, editor.address)).to.not.emit(
        registry,
        "EditorGranted",
      );
      await (await registry.connect(owner).revokeEditor(imageId, editor.address)).wait();
      await expect(registry.connect(owner).grantEditor(imageId, extra)).to.emit(registry, "EditorGranted");
    });

    it("refuse the reader past MAX_READERS with ImageRegistryTooManyReaders", async function () {
      const { registry, owner, imageId } = await loadFixture(imageFixture);
      const max = Number(await registry.MAX_READERS());
      expect(max).to.equal(256);
      const accounts = addresses(max + 1);
      // A multicall of grants fills the set in a few transactions.
      for (let from = 0; from < max; from += 64) {
        const calls = accounts
          .slice(from, Math.min(max, from + 64))
          .map((account) => registry.interface.encodeFunctionData("grantRead", [imageId, account]));
        await (await registry.connect(owner).multicall(calls)).wait();
      }
      expect(await registry.readers(imageId)).to.have.lengthOf(max);
      await expect(registry.connect(owner).grantRead(imageId, accounts[max] ?? ""))
        .to.be.revertedWithCustomError(registry, "ImageRegistryTooManyReaders")
        .withArgs(imageId, max);
    });
  });
});
