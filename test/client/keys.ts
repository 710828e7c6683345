import {
  connectKeyRegistry,
  checkKeyRegistry,
  isClientError,
  openEncryptionKey,
  postKeyRegistration,
  registerEncryptionKey,
  requireEncryptionKey,
  signKeyRegistration,
  type KeySigner,
} from "@disp/client";
import { createCrypto, KEY_DERIVATION_MESSAGE } from "@disp/crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { getBytes, hashMessage, hexlify, randomBytes, recoverAddress, Signature, Wallet } from "ethers";
import { network } from "hardhat";

import EncryptionKeyRegistryModule from "../../deploy/modules/EncryptionKeyRegistry.js";
import { codeOf } from "./support/client-errors.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

async function deployFixture() {
  const signers = await ethers.getSigners();
  const [account, relayer, fresh, other] = [signers[1], signers[2], signers[3], signers[4]];
  if (account === undefined || relayer === undefined || fresh === undefined || other === undefined) {
    throw new Error("accounts");
  }
  const { keyRegistry } = await ignition.deploy(EncryptionKeyRegistryModule);
  const keys = connectKeyRegistry(await keyRegistry.getAddress(), ethers.provider);
  return { keys, account, relayer, fresh, other };
}

/**
 * A wallet that signs messages with a fresh random ECDSA nonce each time (valid signatures by the
 * same account, never the same twice), as some MPC and smart-account wallets do.
 */
function randomisingWallet(wallet: Wallet): KeySigner {
  return {
    getAddress: async () => wallet.address,
    signTypedData: (domain, types, value) => wallet.signTypedData(domain, types, value),
    signMessage: async (message) => {
      const digest = hashMessage(message);
      const compact = secp256k1.sign(getBytes(digest), getBytes(wallet.privateKey), {
        prehash: false,
        extraEntropy: true,
      });
      const r = hexlify(compact.subarray(0, 32));
      const s = hexlify(compact.subarray(32));
      const v = [27, 28].find(
        (candidate) => recoverAddress(digest, { r, s, v: candidate }) === wallet.address,
      );
      return Signature.from({ r, s, v: v ?? 27 }).serialized;
    },
  };
}

describe("client encryption keys", function () {
  it("find the key registry at its address, and refuse an address without one", async function () {
    const { keys, other } = await loadFixture(deployFixture);
    await checkKeyRegistry(keys);
    expect(await codeOf(checkKeyRegistry(connectKeyRegistry(other.address, ethers.provider)))).to.equal(
      "CLIENT_NO_REGISTRY",
    );
  });

  describe("registerEncryptionKey, sent by the account", function () {
    it("registers the key pair its wallet derives, which openEncryptionKey gives back", async function () {
      const { keys, account } = await loadFixture(deployFixture);
      const registration = await registerEncryptionKey(keys, account);
      expect(registration.changed).to.equal(true);
      const expected = await (
        await createCrypto()
      ).keyPairFromSignature(getBytes(await account.signMessage(KEY_DERIVATION_MESSAGE)));
      expect(registration.publicKey).to.equal(hexlify(expected.publicKey));
      expect(await keys.keyOf(account.address)).to.equal(hexlify(expected.publicKey));
      const opened = await openEncryptionKey(keys, account);
      expect(hexlify(opened.secretKey)).to.equal(hexlify(expected.secretKey));
    });

    it("sends nothing when that key is already registered", async function () {
      const { keys, account } = await loadFixture(deployFixture);
      await registerEncryptionKey(keys, account);
      const sent = await ethers.provider.getTransactionCount(account.address);
      const again = await registerEncryptionKey(keys, account);
      expect(again.changed).to.equal(false);
      expect(again.transactionHash).to.equal(undefined);
      expect(await ethers.provider.getTransactionCount(account.address)).to.equal(sent);
    });
  });

  describe("registerEncryptionKey through a relayer", function () {
    it("registers the account's key while the account sends no transaction", async function () {
      const { keys, relayer, fresh } = await loadFixture(deployFixture);
      const registration = await registerEncryptionKey(keys, fresh, { relayer });
      expect(registration.changed).to.equal(true);
      expect(await keys.keyOf(fresh.address)).to.equal(registration.publicKey);
      expect(await ethers.provider.getTransactionCount(fresh.address)).to.equal(0);
      expect(await keys.nonces(fresh.address)).to.equal(1n);
    });

    it("refuses a signed registration posted twice with CLIENT_NOT_AUTHORIZED", async function () {
      const { keys, relayer, fresh } = await loadFixture(deployFixture);
      const signed = await signKeyRegistration(keys, fresh, hexlify(randomBytes(32)));
      await postKeyRegistration(keys.connect(relayer), signed);
      expect(await codeOf(postKeyRegistration(keys.connect(relayer), signed))).to.equal(
        "CLIENT_NOT_AUTHORIZED",
      );
    });

    it("refuses an expired registration with CLIENT_INVALID_INPUT", async function () {
      const { keys, relayer, fresh } = await loadFixture(deployFixture);
      const signed = await signKeyRegistration(keys, fresh, hexlify(randomBytes(32)), { deadline: 1n });
      expect(await codeOf(postKeyRegistration(keys.connect(relayer), signed))).to.equal(
        "CLIENT_INVALID_INPUT",
      );
    });
  });

  describe("when an account registered no key", function () {
    it("fails with CLIENT_NO_ENCRYPTION_KEY naming disp:keys:register", async function () {
      const { keys, other } = await loadFixture(deployFixture);
      const failure = await requireEncryptionKey(keys, other.address).catch((error: unknown) => error);
      expect(isClientError(failure, "CLIENT_NO_ENCRYPTION_KEY")).to.equal(true);
      expect(String(failure)).to.contain("disp:keys:register");
      expect(await codeOf(openEncryptionKey(keys, other))).to.equal("CLIENT_NO_ENCRYPTION_KEY");
    });
  });

  describe("when the registered key is not the one the wallet derives", function () {
    it("fails with CLIENT_ENCRYPTION_KEY_MISMATCH", async function () {
      const { keys, other } = await loadFixture(deployFixture);
      await (await keys.connect(other).registerKey(hexlify(randomBytes(32)))).wait();
      expect(await codeOf(openEncryptionKey(keys, other))).to.equal("CLIENT_ENCRYPTION_KEY_MISMATCH");
    });
  });

  describe("with a wallet that randomises its signatures", function () {
    it("registers nothing and fails with CLIENT_SIGNATURE_NOT_DETERMINISTIC", async function () {
      const { keys, relayer } = await loadFixture(deployFixture);
      const wallet = Wallet.createRandom();
      const signer = Object.assign(randomisingWallet(new Wallet(wallet.privateKey)), {
        provider: ethers.provider,
      });
      expect(await codeOf(registerEncryptionKey(keys, signer, { relayer }))).to.equal(
        "CLIENT_SIGNATURE_NOT_DETERMINISTIC",
      );
      expect(await keys.nonces(wallet.address)).to.equal(0n);
    });
  });
});
