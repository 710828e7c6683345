import { expect } from "chai";
import { network } from "hardhat";

import { imageFixtures, versionData } from "./image-fixtures.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture } = networkHelpers;
const { imageFixture } = imageFixtures(connection);

/** A well-formed envelope (81 bytes), distinct per `seed`; the contract checks its length only. */
function envelope(seed: number, length = 81): string {
  return ethers.hexlify(new Uint8Array(length).fill(seed));
}

/** The image of `imageFixture` with `reader` granted read. */
async function grantedFixture() {
  const fixture = await imageFixture();
  const { registry, owner, reader, imageId } = fixture;
  await (await registry.connect(owner).grantRead(imageId, reader.address)).wait();
  return fixture;
}

describe("ImageKeys", function () {
  describe("publishKeys", function () {
    describe("when the caller is the owner or an editor", function () {
      it("emits KeyWrapped per account and records the block of the latest wrap", async function () {
        const { registry, owner, editor, reader, imageId } = await loadFixture(grantedFixture);
        const sent = registry
          .connect(owner)
          .publishKeys(imageId, 1, [owner.address, reader.address], [envelope(1), envelope(2)]);
        await expect(sent)
          .to.emit(registry, "KeyWrapped")
          .withArgs(imageId, 1, owner.address, envelope(1))
          .and.to.emit(registry, "KeyWrapped")
          .withArgs(imageId, 1, reader.address, envelope(2));
        const block = (await (await sent).wait())?.blockNumber;
        expect(await registry.keyBlock(imageId, 1, reader.address)).to.equal(block);
        expect(await registry.keyBlock(imageId, 1, editor.address)).to.equal(0n);
        const again = await (
          await registry.connect(editor).publishKeys(imageId, 1, [reader.address], [envelope(3)])
        ).wait();
        expect(await registry.keyBlock(imageId, 1, reader.address)).to.equal(again?.blockNumber);
      });

      it("takes MAX_KEYS_PER_CALL keys, and no keys at all", async function () {
        const { registry, owner, reader, imageId } = await loadFixture(grantedFixture);
        const max = Number(await registry.MAX_KEYS_PER_CALL());
        expect(max).to.equal(64);
        expect(await registry.ENVELOPE_BYTES()).to.equal(81n);
        const accounts = Array<string>(max).fill(reader.address);
        await expect(
          registry.connect(owner).publishKeys(imageId, 1, accounts, Array<string>(max).fill(envelope(1))),
        ).to.emit(registry, "KeyWrapped");
        await expect(registry.connect(owner).publishKeys(imageId, 1, [], [])).to.not.emit(
          registry,
          "KeyWrapped",
        );
      });
    });

    describe("when the caller is a reader or an outsider", function () {
      it("reverts with ImageRegistryNotEditor", async function () {
        const { registry, reader, outsider, imageId } = await loadFixture(grantedFixture);
        for (const caller of [reader, outsider]) {
          await expect(registry.connect(caller).publishKeys(imageId, 1, [reader.address], [envelope(1)]))
            .to.be.revertedWithCustomError(registry, "ImageRegistryNotEditor")
            .withArgs(imageId, caller.address);
        }
      });
    });

    describe("when the account is the owner the image is offered to", function () {
      it("publishes its key before it accepts; once the offer is canceled, no more", async function () {
        const { registry, owner, stranger, imageId } = await loadFixture(grantedFixture);
        await (await registry.connect(owner).transferImageOwnership(imageId, stranger.address)).wait();
        await expect(registry.connect(owner).publishKeys(imageId, 1, [stranger.address], [envelope(3)]))
          .to.emit(registry, "KeyWrapped")
          .withArgs(imageId, 1, stranger.address, envelope(3));
        await (await registry.connect(owner).transferImageOwnership(imageId, owner.address)).wait();
        await expect(registry.connect(owner).publishKeys(imageId, 1, [stranger.address], [envelope(4)]))
          .to.be.revertedWithCustomError(registry, "ImageKeysAccountCannotRead")
          .withArgs(imageId, stranger.address);
      });

      it("never takes the zero address for the pending owner of an image offered to nobody", async function () {
        const { registry, owner, imageId } = await loadFixture(grantedFixture);
        await expect(registry.connect(owner).publishKeys(imageId, 1, [ethers.ZeroAddress], [envelope(5)]))
          .to.be.revertedWithCustomError(registry, "ImageKeysAccountCannotRead")
          .withArgs(imageId, ethers.ZeroAddress);
      });
    });

    describe("when an account cannot read the image", function () {
      it("reverts with ImageKeysAccountCannotRead, even when the image is public", async function () {
        const { registry, owner, stranger, imageId } = await loadFixture(grantedFixture);
        await (await registry.connect(owner).setPublic(imageId, true)).wait();
        await expect(registry.connect(owner).publishKeys(imageId, 1, [stranger.address], [envelope(1)]))
          .to.be.revertedWithCustomError(registry, "ImageKeysAccountCannotRead")
          .withArgs(imageId, stranger.address);
      });
    });

    describe("when the call is malformed", function () {
      it("reverts with ImageKeysInvalidEnvelope for an envelope of another length", async function () {
        const { registry, owner, reader, imageId } = await loadFixture(grantedFixture);
        for (const length of [0, 80, 82]) {
          await expect(
            registry
              .connect(owner)
              .publishKeys(imageId, 1, [owner.address, reader.address], [envelope(1), envelope(2, length)]),
          )
            .to.be.revertedWithCustomError(registry, "ImageKeysInvalidEnvelope")
            .withArgs(1, length);
        }
      });

      it("reverts with ImageKeysLengthMismatch for unequal lengths", async function () {
        const { registry, owner, reader, imageId } = await loadFixture(grantedFixture);
        await expect(
          registry.connect(owner).publishKeys(imageId, 1, [owner.address, reader.address], [envelope(1)]),
        )
          .to.be.revertedWithCustomError(registry, "ImageKeysLengthMismatch")
          .withArgs(2, 1);
      });

      it("reverts with ImageKeysTooManyKeys past MAX_KEYS_PER_CALL", async function () {
        const { registry, owner, imageId } = await loadFixture(grantedFixture);
        await expect(
          registry
            .connect(owner)
            .publishKeys(
              imageId,
              1,
              Array<string>(65).fill(owner.address),
              Array<string>(65).fill(envelope(1)),
            ),
        )
          .to.be.revertedWithCustomError(registry, "ImageKeysTooManyKeys")
          .withArgs(65, 64);
      });

      it("reverts with ImageRegistryUnknownVersion and ImageRegistryUnknownImage", async function () {
        const { registry, owner, imageId } = await loadFixture(grantedFixture);
        for (const version of [0, 2]) {
          await expect(registry.connect(owner).publishKeys(imageId, version, [owner.address], [envelope(1)]))
            .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownVersion")
            .withArgs(imageId, version);
        }
        await expect(registry.connect(owner).publishKeys(imageId + 1n, 1, [owner.address], [envelope(1)]))
          .to.be.revertedWithCustomError(registry, "ImageRegistryUnknownImage")
          .withArgs(imageId + 1n);
      });
    });
  });

  describe("multicall", function () {
    it("grants and publishes in one transaction", async function () {
      const { registry, owner, reader, imageId } = await loadFixture(imageFixture);
      const calls = [
        registry.interface.encodeFunctionData("grantRead", [imageId, reader.address]),
        registry.interface.encodeFunctionData("publishKeys", [imageId, 1, [reader.address], [envelope(7)]]),
      ];
      await expect(registry.connect(owner).multicall(calls))
        .to.emit(registry, "ReadGranted")
        .withArgs(imageId, reader.address)
        .and.to.emit(registry, "KeyWrapped")
        .withArgs(imageId, 1, reader.address, envelope(7));
    });

    it("reverts the grant when the publication fails: no half-done state", async function () {
      const { registry, owner, reader, imageId } = await loadFixture(imageFixture);
      const calls = [
        registry.interface.encodeFunctionData("grantRead", [imageId, reader.address]),
        registry.interface.encodeFunctionData("publishKeys", [
          imageId,
          1,
          [reader.address],
          [envelope(7, 80)],
        ]),
      ];
      await expect(registry.connect(owner).multicall(calls))
        .to.be.revertedWithCustomError(registry, "ImageKeysInvalidEnvelope")
        .withArgs(0, 80);
      expect(await registry.hasReadGrant(imageId, reader.address)).to.equal(false);
      expect(await registry.readers(imageId)).to.deep.equal([]);
    });

    it("revokes, adds a version and wraps its key for the remaining readers", async function () {
      const { registry, owner, reader, stranger, imageId } = await loadFixture(grantedFixture);
      await (await registry.connect(owner).grantRead(imageId, stranger.address)).wait();
      const v2 = versionData("v2");
      const rotate = (keysFor: string[]) =>
        registry
          .connect(owner)
          .multicall([
            registry.interface.encodeFunctionData("revokeRead", [imageId, stranger.address]),
            registry.interface.encodeFunctionData("addVersion", [imageId, v2.root, v2.manifestCid]),
            registry.interface.encodeFunctionData("publishKeys", [
              imageId,
              2,
              keysFor,
              keysFor.map((_, i) => envelope(i)),
            ]),
          ]);
      // A key for the revoked reader is refused: the whole rotation reverts.
      await expect(rotate([reader.address, stranger.address]))
        .to.be.revertedWithCustomError(registry, "ImageKeysAccountCannotRead")
        .withArgs(imageId, stranger.address);
      expect((await registry.imageInfo(imageId)).versionCount).to.equal(1n);
      await expect(rotate([owner.address, reader.address]))
        .to.emit(registry, "VersionAdded")
        .and.to.emit(registry, "ReadRevoked")
        .withArgs(imageId, stranger.address);
      expect(await registry.keyBlock(imageId, 2, reader.address)).to.not.equal(0n);
      expect(await registry.keyBlock(imageId, 2, stranger.address)).to.equal(0n);
    });
  });
});
