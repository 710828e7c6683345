import {
  createCipheriv,
  diffieHellman,
  hkdfSync,
  randomBytes,
  createPublicKey,
  createPrivateKey,
} from "node:crypto";

import { createCrypto, ENVELOPE_BYTES, ENVELOPE_INFO, type EnvelopeBinding } from "@disp/crypto";
import { expect } from "chai";
import { Wallet } from "ethers";

import { cryptoCodeOf, flipped } from "./support.js";

const node = await createCrypto({ backend: "node:crypto" });
const web = await createCrypto({ backend: "webcrypto" });

const binding: EnvelopeBinding = {
  chainId: 31337n,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  imageId: 2n ** 200n + 5n,
  version: 3n,
  grantee: Wallet.createRandom().address,
};

async function grantee() {
  return node.keyPairFromSecret(randomBytes(32));
}

describe("@disp/crypto envelopes", function () {
  it("wrap a content key for a grantee into 81 bytes that only that grantee opens", async function () {
    const reader = await grantee();
    const contentKey = node.newContentKey();
    const envelope = await node.wrapContentKey(contentKey, reader.publicKey, binding);
    expect(envelope.length).to.equal(ENVELOPE_BYTES).and.to.equal(81);
    expect(
      Buffer.from(await node.unwrapContentKey(envelope, reader, binding)).equals(Buffer.from(contentKey)),
    ).to.equal(true);
    expect(await cryptoCodeOf(node.unwrapContentKey(envelope, await grantee(), binding))).to.equal(
      "CRYPTO_AUTHENTICATION_FAILED",
    );
  });

  it("follow the documented ECDH + HKDF + AES-GCM layout (opened here with node:crypto alone)", async function () {
    const reader = await grantee();
    const contentKey = node.newContentKey();
    const envelope = await web.wrapContentKey(contentKey, reader.publicKey, binding);
    const ephemeral = envelope.subarray(1, 33);
    const spki = (raw: Uint8Array) => Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), raw]);
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), reader.secretKey]);
    const shared = diffieHellman({
      privateKey: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }),
      publicKey: createPublicKey({ key: spki(ephemeral), format: "der", type: "spki" }),
    });
    const okm = Buffer.from(
      hkdfSync("sha256", shared, Buffer.concat([ephemeral, reader.publicKey]), ENVELOPE_INFO, 44),
    );
    const word = (value: bigint) => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
    const aad = Buffer.concat([
      Buffer.from(ENVELOPE_INFO, "ascii"),
      word(binding.chainId),
      Buffer.from(binding.registry.slice(2), "hex"),
      word(binding.imageId),
      word(binding.version),
      Buffer.from(binding.grantee.slice(2), "hex"),
    ]);
    const cipher = createCipheriv("aes-256-gcm", okm.subarray(0, 32), okm.subarray(32));
    cipher.setAAD(aad);
    const expected = Buffer.concat([cipher.update(contentKey), cipher.final(), cipher.getAuthTag()]);
    expect(envelope[0]).to.equal(1);
    expect(Buffer.from(envelope.subarray(33)).equals(expected)).to.equal(true);
  });

  it("open on either backend, whichever wrapped them", async function () {
    const reader = await web.keyPairFromSecret(randomBytes(32));
    const contentKey = node.newContentKey();
    const envelope = await node.wrapContentKey(contentKey, reader.publicKey, binding);
    expect(
      Buffer.from(await web.unwrapContentKey(envelope, reader, binding)).equals(Buffer.from(contentKey)),
    ).to.equal(true);
  });

  it("use a new ephemeral key each time: two wraps of one key differ", async function () {
    const reader = await grantee();
    const contentKey = node.newContentKey();
    const a = await node.wrapContentKey(contentKey, reader.publicKey, binding);
    const b = await node.wrapContentKey(contentKey, reader.publicKey, binding);
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(false);
  });

  describe("when anything was changed", function () {
    it("refuse every single-byte change (ephemeral key, ciphertext, tag) with CRYPTO_AUTHENTICATION_FAILED", async function () {
      const reader = await grantee();
      const envelope = await node.wrapContentKey(node.newContentKey(), reader.publicKey, binding);
      for (let at = 1; at < envelope.length; at++) {
        expect(await cryptoCodeOf(node.unwrapContentKey(flipped(envelope, at), reader, binding))).to.equal(
          "CRYPTO_AUTHENTICATION_FAILED",
          `byte ${at}`,
        );
      }
    });

    it("refuse another grant (chain, registry, image, version or grantee) with CRYPTO_AUTHENTICATION_FAILED", async function () {
      const reader = await grantee();
      const envelope = await node.wrapContentKey(node.newContentKey(), reader.publicKey, binding);
      const others: EnvelopeBinding[] = [
        { ...binding, chainId: 1n },
        { ...binding, registry: Wallet.createRandom().address },
        { ...binding, imageId: binding.imageId + 1n },
        { ...binding, version: 4n },
        { ...binding, grantee: Wallet.createRandom().address },
      ];
      for (const other of others) {
        expect(await cryptoCodeOf(node.unwrapContentKey(envelope, reader, other))).to.equal(
          "CRYPTO_AUTHENTICATION_FAILED",
        );
      }
    });

    it("refuse another length or format byte with CRYPTO_ENVELOPE_MALFORMED", async function () {
      const reader = await grantee();
      const envelope = await node.wrapContentKey(node.newContentKey(), reader.publicKey, binding);
      expect(await cryptoCodeOf(node.unwrapContentKey(envelope.subarray(0, 80), reader, binding))).to.equal(
        "CRYPTO_ENVELOPE_MALFORMED",
      );
      expect(await cryptoCodeOf(node.unwrapContentKey(flipped(envelope, 0), reader, binding))).to.equal(
        "CRYPTO_ENVELOPE_MALFORMED",
      );
    });
  });

  describe("input they refuse", function () {
    it("a low-order public key, a bad address or a content key of another size", async function () {
      const reader = await grantee();
      expect(
        await cryptoCodeOf(node.wrapContentKey(node.newContentKey(), new Uint8Array(32), binding)),
      ).to.equal("CRYPTO_WEAK_PUBLIC_KEY");
      expect(
        await cryptoCodeOf(web.wrapContentKey(node.newContentKey(), new Uint8Array(32), binding)),
      ).to.equal("CRYPTO_WEAK_PUBLIC_KEY");
      expect(
        await cryptoCodeOf(
          node.wrapContentKey(node.newContentKey(), reader.publicKey, { ...binding, grantee: "0x12" }),
        ),
      ).to.equal("CRYPTO_INVALID_INPUT");
      expect(await cryptoCodeOf(node.wrapContentKey(randomBytes(31), reader.publicKey, binding))).to.equal(
        "CRYPTO_INVALID_INPUT",
      );
    });
  });
});
