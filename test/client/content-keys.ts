import {
  changeAccess,
  connectKeyRegistry,
  connectRegistry,
  contentKeyFor,
  encryptionKeysOf,
  imageIdOf,
  isClientError,
  keyHolders,
  MAX_KEYS_PER_CALL,
  registerEncryptionKey,
  wrapForAccounts,
  type ChainContext,
} from "@disp/client";
import { createCrypto } from "@disp/crypto";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { codeOf } from "./support/client-errors.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** A user's client: the registry connected with its signer, and its encryption keys. */
function clientOf(address: string, signer: HardhatEthersSigner): ChainContext {
  return { registry: connectRegistry(address, signer), encryptionKeys: encryptionKeysOf(signer) };
}

async function deployFixture() {
  const signers = await ethers.getSigners();
  const signer = (i: number): HardhatEthersSigner => {
    const found = signers[i];
    if (found === undefined) throw new Error(`no account ${i}`);
    return found;
  };
  const [node, keyless] = [signer(1), signer(5)];
  const { registry: deployed, keyRegistry: deployedKeys } = await ignition.deploy(DispModule);
  const address = await deployed.getAddress();
  const users = { owner: signer(2), reader: signer(3), outsider: signer(4) };
  const keyRegistry = connectKeyRegistry(await deployedKeys.getAddress(), ethers.provider);
  for (const user of Object.values(users)) await registerEncryptionKey(keyRegistry, user);
  const nodeRegistry = connectRegistry(address, node);
  await nodeRegistry.optIn("12D3KooWContentKeysTest", ["/ip4/127.0.0.1/tcp/4001"], "0x");
  const ownerClient = clientOf(address, users.owner);
  expect(await ownerClient.registry.encryptionKeyRegistry()).to.equal(await deployedKeys.getAddress());
  // A private image whose version 1 key is wrapped for its owner in the registration's transaction.
  const contentKey = (await createCrypto()).newContentKey();
  const root = hexlify(randomBytes(32));
  const imageId = imageIdOf(users.owner.address, root);
  const ownerKeys = await wrapForAccounts(ownerClient, imageId, 1n, contentKey, [users.owner.address]);
  const registered = await ownerClient.registry.registerReplicatedImage(
    [node.address],
    root,
    "0x01551220" + "ab".repeat(32),
    ownerKeys,
  );
  return {
    address,
    users,
    keyless,
    node,
    owner: ownerClient,
    reader: clientOf(address, users.reader),
    outsider: clientOf(address, users.outsider),
    imageId,
    contentKey,
    registered,
  };
}

describe("Content keys", function () {
  describe("when an image is registered with its owner's wrapped key", function () {
    it("publishes the key in the registration's transaction, which the owner opens", async function () {
      const { owner, users, imageId, contentKey, registered } = await loadFixture(deployFixture);
      expect(registered.imageId).to.equal(imageId);
      expect(await owner.registry.keyBlock(imageId, 1n, users.owner.address)).to.equal(
        registered.blockNumber,
      );
      expect(await contentKeyFor(owner, imageId, 1n)).to.deep.equal(contentKey);
      expect(await keyHolders(owner, imageId)).to.deep.equal([users.owner.address]);
    });
  });

  describe("when read is granted with the wrapped key in one multicall", function () {
    it("gives the grantee the content key, and lists it as a reader and key holder", async function () {
      const { owner, reader, users, imageId, contentKey } = await loadFixture(deployFixture);
      const keys = await wrapForAccounts(owner, imageId, 1n, contentKey, [users.reader.address]);
      const sent = await owner.registry.grantRead(imageId, users.reader.address, keys);
      expect(await owner.registry.keyBlock(imageId, 1n, users.reader.address)).to.equal(sent.blockNumber);
      expect(await contentKeyFor(reader, imageId, 1n)).to.deep.equal(contentKey);
      expect(await owner.registry.readers(imageId)).to.deep.equal([users.reader.address]);
      expect(await keyHolders(owner, imageId)).to.deep.equal([users.owner.address, users.reader.address]);
    });

    it("reverts the grant with the publication when a key is for an account that cannot read", async function () {
      const { owner, users, imageId, contentKey } = await loadFixture(deployFixture);
      const [forOutsider] = await wrapForAccounts(owner, imageId, 1n, contentKey, [users.outsider.address]);
      if (forOutsider === undefined) throw new Error("no key");
      expect(await codeOf(owner.registry.grantRead(imageId, users.reader.address, [forOutsider]))).to.equal(
        "CLIENT_NOT_AUTHORIZED",
      );
      expect(await owner.registry.readers(imageId)).to.deep.equal([]);
      expect(await owner.registry.canRead(imageId, users.reader.address)).to.equal(false);
    });
  });

  describe("when the account holds no envelope", function () {
    it("fails with CLIENT_NOT_GRANTED", async function () {
      const { outsider, imageId } = await loadFixture(deployFixture);
      expect(await codeOf(contentKeyFor(outsider, imageId, 1n))).to.equal("CLIENT_NOT_GRANTED");
    });

    it("without encryption keys in the context, fails with CLIENT_INVALID_INPUT", async function () {
      const { owner, imageId } = await loadFixture(deployFixture);
      expect(await codeOf(contentKeyFor({ registry: owner.registry }, imageId, 1n))).to.equal(
        "CLIENT_INVALID_INPUT",
      );
    });
  });

  describe("when the published envelope was tampered with", function () {
    it("fails with CLIENT_KEY_MISMATCH, the GCM failure as its cause", async function () {
      const { owner, reader, users, imageId, contentKey } = await loadFixture(deployFixture);
      const [key] = await wrapForAccounts(owner, imageId, 1n, contentKey, [users.reader.address]);
      if (key === undefined) throw new Error("no key");
      const envelope = Uint8Array.from(key.envelope);
      envelope[40] = (envelope[40] ?? 0) ^ 1;
      await owner.registry.grantRead(imageId, users.reader.address, [{ ...key, envelope }]);
      expect(await codeOf(contentKeyFor(reader, imageId, 1n))).to.equal("CLIENT_KEY_MISMATCH");
      // A later, correct wrap replaces it.
      await owner.registry.publishKeys(imageId, [key]);
      expect(await contentKeyFor(reader, imageId, 1n)).to.deep.equal(contentKey);
    });
  });

  describe("when an account has no registered key", function () {
    it("wraps nothing: CLIENT_NO_ENCRYPTION_KEY naming disp:keys:register", async function () {
      const { owner, keyless, imageId, contentKey } = await loadFixture(deployFixture);
      const stranger = Wallet.createRandom().address;
      for (const account of [keyless.address, stranger]) {
        const error: unknown = await wrapForAccounts(owner, imageId, 1n, contentKey, [account]).catch(
          (caught: unknown) => caught,
        );
        expect(isClientError(error, "CLIENT_NO_ENCRYPTION_KEY"), String(error)).to.equal(true);
        expect(String(error)).to.include("disp:keys:register");
      }
    });
  });

  describe("bounds", function () {
    it("match the registry's: the client's MAX_KEYS_PER_CALL, and more keys are refused before sending", async function () {
      const { address, owner, users, imageId } = await loadFixture(deployFixture);
      const contract = await ethers.getContractAt("DispRegistry", address);
      expect(await contract.MAX_KEYS_PER_CALL()).to.equal(BigInt(MAX_KEYS_PER_CALL));
      const key = { version: 1n, account: users.owner.address, envelope: new Uint8Array(81) };
      const before = await ethers.provider.getBlockNumber();
      expect(
        await codeOf(owner.registry.publishKeys(imageId, Array(MAX_KEYS_PER_CALL + 1).fill(key))),
      ).to.equal("CLIENT_INVALID_INPUT");
      expect(
        await codeOf(owner.registry.publishKeys(imageId, [{ ...key, envelope: new Uint8Array(80) }])),
      ).to.equal("CLIENT_INVALID_INPUT");
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
    });
  });

  describe("changeAccess on a private image", function () {
    /** The fixture's image with versions 2..`count` added by the owner, each with its own key. */
    async function versionsFixture(count: number) {
      const fixture = await deployFixture();
      const { owner, users, imageId } = fixture;
      const crypto = await createCrypto();
      const contentKeys = [fixture.contentKey];
      for (let version = 2n; version <= BigInt(count); version++) {
        const contentKey = crypto.newContentKey();
        const keys = await wrapForAccounts(owner, imageId, version, contentKey, [users.owner.address]);
        await owner.registry.addVersion(imageId, hexlify(randomBytes(32)), "0x0155", keys);
        contentKeys.push(contentKey);
      }
      return { ...fixture, contentKeys };
    }
    const threeVersions = () => versionsFixture(3);

    it("wraps every version's key for the grantee in the grant's transaction", async function () {
      const { owner, reader, users, imageId, contentKeys } = await loadFixture(threeVersions);
      const change = await changeAccess(owner, "grant-read", imageId, users.reader.address);
      expect(change.wrappedVersions).to.deep.equal([3n, 2n, 1n]);
      const receipt = await ethers.provider.getTransactionReceipt(change.transactionHash);
      for (const [i, contentKey] of contentKeys.entries()) {
        const version = BigInt(i + 1);
        expect(await owner.registry.keyBlock(imageId, version, users.reader.address)).to.equal(
          receipt?.blockNumber,
        );
        expect(await contentKeyFor(reader, imageId, version)).to.deep.equal(contentKey);
      }
    });

    it("refuses a grantee with no registered key up front: nothing is sent", async function () {
      const { owner, keyless, imageId } = await loadFixture(threeVersions);
      const before = await ethers.provider.getBlockNumber();
      expect(await codeOf(changeAccess(owner, "grant-editor", imageId, keyless.address))).to.equal(
        "CLIENT_NO_ENCRYPTION_KEY",
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
      expect(await owner.registry.editors(imageId)).to.deep.equal([]);
    });

    it("stops future wraps on revocation: the account leaves the key holders", async function () {
      const { owner, users, imageId } = await loadFixture(threeVersions);
      await changeAccess(owner, "grant-editor", imageId, users.reader.address);
      expect(await keyHolders(owner, imageId)).to.deep.equal([users.owner.address, users.reader.address]);
      await changeAccess(owner, "revoke-editor", imageId, users.reader.address);
      expect(await keyHolders(owner, imageId)).to.deep.equal([users.owner.address]);
    });

    it("beyond MAX_KEYS_PER_CALL versions, publishes the older keys in further transactions", async function () {
      this.timeout(300_000);
      const { owner, reader, users, imageId, contentKeys } = await versionsFixture(MAX_KEYS_PER_CALL + 2);
      const change = await changeAccess(owner, "grant-read", imageId, users.reader.address);
      expect(change.wrappedVersions).to.have.lengthOf(MAX_KEYS_PER_CALL + 2);
      const grantBlock = (await ethers.provider.getTransactionReceipt(change.transactionHash))?.blockNumber;
      // The latest versions ride with the grant; versions 1 and 2 follow.
      expect(
        await owner.registry.keyBlock(imageId, BigInt(MAX_KEYS_PER_CALL + 2), users.reader.address),
      ).to.equal(grantBlock);
      expect(await owner.registry.keyBlock(imageId, 1n, users.reader.address)).to.be.greaterThan(
        grantBlock ?? 0,
      );
      expect(await contentKeyFor(reader, imageId, 1n)).to.deep.equal(contentKeys[0]);
    });

    it("wraps nothing for an image without encrypted versions", async function () {
      const { owner, users, node } = await loadFixture(deployFixture);
      const { imageId } = await owner.registry.registerReplicatedImage(
        [node.address],
        hexlify(randomBytes(32)),
        "0x0155",
      );
      const change = await changeAccess(owner, "grant-read", imageId, users.reader.address);
      expect(change.wrappedVersions).to.deep.equal([]);
      expect(change.changed).to.equal(true);
    });
  });
});
