import { REGISTER_KEY_TYPES } from "@disp/client";
import { expect } from "chai";
import { hexlify, id, randomBytes, TypedDataEncoder, ZeroHash, type Signer } from "ethers";
import { network } from "hardhat";

import EncryptionKeyRegistryModule from "../../deploy/modules/EncryptionKeyRegistry.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

async function deployFixture() {
  const [account, relayer, other] = await ethers.getSigners();
  if (account === undefined || relayer === undefined || other === undefined) throw new Error("accounts");
  const { keyRegistry } = await ignition.deploy(EncryptionKeyRegistryModule);
  const registry = await ethers.getContractAt("EncryptionKeyRegistry", await keyRegistry.getAddress());
  return { registry, account, relayer, other };
}

type Registry = Awaited<ReturnType<typeof deployFixture>>["registry"];

const newKey = () => hexlify(randomBytes(32));

/** `signer`'s EIP-712 RegisterKey signature for `account`, with the domain the contract reports. */
async function signRegistration(
  registry: Registry,
  signer: Signer,
  fields: { account: string; publicKey: string; nonce: bigint; deadline: bigint },
): Promise<string> {
  const { name, version, chainId, verifyingContract } = await registry.eip712Domain();
  return signer.signTypedData(
    { name, version, chainId, verifyingContract },
    { RegisterKey: [...REGISTER_KEY_TYPES.RegisterKey] },
    fields,
  );
}

async function inAnHour(): Promise<bigint> {
  return BigInt((await time.latest()) + 3600);
}

/**
 * A registration for `account` at nonce 0 (a fresh key and an hour to live unless given), signed by
 * `signer` (the account unless given), and how to post it.
 */
async function signed(
  registry: Registry,
  account: Signer & { address: string },
  given: { signer?: Signer; publicKey?: string; deadline?: bigint } = {},
) {
  const fields = {
    account: account.address,
    publicKey: given.publicKey ?? newKey(),
    nonce: 0n,
    deadline: given.deadline ?? (await inAnHour()),
  };
  const signature = await signRegistration(registry, given.signer ?? account, fields);
  const post = (relayer: Signer, publicKey = fields.publicKey) =>
    registry.connect(relayer).registerKeyBySig(fields.account, publicKey, fields.deadline, signature);
  return { fields, post };
}

describe("EncryptionKeyRegistry", function () {
  it("names its EIP-712 domain and type hash as the client signs them", async function () {
    const { registry } = await loadFixture(deployFixture);
    const domain = await registry.eip712Domain();
    expect(domain.name).to.equal("DISP EncryptionKeyRegistry");
    expect(domain.version).to.equal("1");
    expect(await registry.REGISTER_KEY_TYPEHASH()).to.equal(
      id(
        TypedDataEncoder.from({ RegisterKey: [...REGISTER_KEY_TYPES.RegisterKey] }).encodeType("RegisterKey"),
      ),
    );
    expect(await registry.DOMAIN_SEPARATOR()).to.equal(
      TypedDataEncoder.hashDomain({
        name: domain.name,
        version: domain.version,
        chainId: domain.chainId,
        verifyingContract: domain.verifyingContract,
      }),
    );
  });

  describe("registerKey", function () {
    it("records the caller's key and emits EncryptionKeyRegistered from zero", async function () {
      const { registry, account } = await loadFixture(deployFixture);
      const key = newKey();
      expect(await registry.keyOf(account.address)).to.equal(ZeroHash);
      await expect(registry.connect(account).registerKey(key))
        .to.emit(registry, "EncryptionKeyRegistered")
        .withArgs(account.address, key, ZeroHash);
      expect(await registry.keyOf(account.address)).to.equal(key);
    });

    it("rotates to a new key, naming the previous one, and emits nothing for the same key again", async function () {
      const { registry, account } = await loadFixture(deployFixture);
      const [first, second] = [newKey(), newKey()];
      await registry.connect(account).registerKey(first);
      await expect(registry.connect(account).registerKey(second))
        .to.emit(registry, "EncryptionKeyRegistered")
        .withArgs(account.address, second, first);
      await expect(registry.connect(account).registerKey(second)).to.not.emit(
        registry,
        "EncryptionKeyRegistered",
      );
      expect(await registry.keyOf(account.address)).to.equal(second);
    });

    it("reverts with EncryptionKeyRegistryZeroKey for a zero key", async function () {
      const { registry, account } = await loadFixture(deployFixture);
      await expect(registry.connect(account).registerKey(ZeroHash)).to.be.revertedWithCustomError(
        registry,
        "EncryptionKeyRegistryZeroKey",
      );
    });
  });

  describe("registerKeyBySig", function () {
    describe("with the account's valid signature, posted by a relayer", function () {
      it("records the account's key, uses its nonce and emits EncryptionKeyRegistered", async function () {
        const { registry, account, relayer } = await loadFixture(deployFixture);
        const { fields, post } = await signed(registry, account);
        await expect(post(relayer))
          .to.emit(registry, "EncryptionKeyRegistered")
          .withArgs(account.address, fields.publicKey, ZeroHash);
        expect(await registry.keyOf(account.address)).to.equal(fields.publicKey);
        expect(await registry.keyOf(relayer.address)).to.equal(ZeroHash);
        expect(await registry.nonces(account.address)).to.equal(1n);
      });
    });

    describe("when the signature was made by another account", function () {
      it("reverts with EncryptionKeyRegistryInvalidSigner naming the signer and the account", async function () {
        const { registry, account, relayer, other } = await loadFixture(deployFixture);
        const { post } = await signed(registry, account, { signer: other });
        await expect(post(relayer))
          .to.be.revertedWithCustomError(registry, "EncryptionKeyRegistryInvalidSigner")
          .withArgs(other.address, account.address);
      });
    });

    describe("when the signature is replayed", function () {
      it("reverts with EncryptionKeyRegistryInvalidSigner: the nonce it signed is used", async function () {
        const { registry, account, relayer } = await loadFixture(deployFixture);
        const { post } = await signed(registry, account);
        await post(relayer);
        await registry.connect(account).registerKey(newKey()); // rotated away since: a replay would undo it
        await expect(post(relayer)).to.be.revertedWithCustomError(
          registry,
          "EncryptionKeyRegistryInvalidSigner",
        );
        expect(await registry.nonces(account.address)).to.equal(1n);
      });
    });

    describe("when the deadline has passed", function () {
      it("reverts with EncryptionKeyRegistryExpiredSignature naming the deadline", async function () {
        const { registry, account, relayer } = await loadFixture(deployFixture);
        const deadline = BigInt(await time.latest()) + 10n;
        const { post } = await signed(registry, account, { deadline });
        await time.increaseTo(deadline + 1n);
        await expect(post(relayer))
          .to.be.revertedWithCustomError(registry, "EncryptionKeyRegistryExpiredSignature")
          .withArgs(deadline);
      });
    });

    describe("when the key signed for is not the key posted", function () {
      it("reverts with EncryptionKeyRegistryInvalidSigner", async function () {
        const { registry, account, relayer } = await loadFixture(deployFixture);
        const { post } = await signed(registry, account);
        await expect(post(relayer, newKey())).to.be.revertedWithCustomError(
          registry,
          "EncryptionKeyRegistryInvalidSigner",
        );
      });
    });

    describe("with a zero key", function () {
      it("reverts with EncryptionKeyRegistryZeroKey", async function () {
        const { registry, account, relayer } = await loadFixture(deployFixture);
        const { post } = await signed(registry, account, { publicKey: ZeroHash });
        await expect(post(relayer)).to.be.revertedWithCustomError(registry, "EncryptionKeyRegistryZeroKey");
      });
    });

    describe("with a malformed signature", function () {
      it("reverts with OpenZeppelin's ECDSAInvalidSignatureLength", async function () {
        const { registry, account, relayer } = await loadFixture(deployFixture);
        await expect(
          registry.connect(relayer).registerKeyBySig(account.address, newKey(), await inAnHour(), "0x1234"),
        )
          .to.be.revertedWithCustomError(registry, "ECDSAInvalidSignatureLength")
          .withArgs(2n);
      });
    });
  });
});
