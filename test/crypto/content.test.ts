import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";

import { createCrypto, SEALED_MANIFEST_INFO, SHARD_INFO } from "@disp/crypto";
import { expect } from "chai";
import fc from "fast-check";

import { cryptoCodeOf, flipped } from "./support.js";

const node = await createCrypto({ backend: "node:crypto" });
const web = await createCrypto({ backend: "webcrypto" });

/** The derivation exactly as content.ts documents it, written out with node:crypto alone. */
function documentedShard(contentKey: Uint8Array, index: number, plaintext: Uint8Array): Uint8Array {
  const info = Buffer.alloc(SHARD_INFO.length + 4);
  info.write(SHARD_INFO, "ascii");
  info.writeUInt32BE(index, SHARD_INFO.length);
  const okm = Buffer.from(hkdfSync("sha256", contentKey, Buffer.alloc(0), info, 44));
  const cipher = createCipheriv("aes-256-gcm", okm.subarray(0, 32), okm.subarray(32, 44));
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

describe("@disp/crypto content encryption", function () {
  it("defaults to node:crypto where it can be imported", async function () {
    expect((await createCrypto()).backend).to.equal("node:crypto");
    expect(web.backend).to.equal("webcrypto");
  });

  it("gives a fresh random 32-byte content key each time", function () {
    const a = node.newContentKey();
    expect(a.length).to.equal(32);
    expect(Buffer.from(a).equals(Buffer.from(node.newContentKey()))).to.equal(false);
  });

  describe("a shard", function () {
    const contentKey = randomBytes(32);
    const plaintext = randomBytes(100_000);

    it("encrypts to exactly the documented HKDF + AES-256-GCM bytes, on both backends", async function () {
      const expected = documentedShard(contentKey, 7, plaintext);
      expect(Buffer.from(await node.encryptShard(contentKey, 7, plaintext)).equals(expected)).to.equal(true);
      expect(Buffer.from(await web.encryptShard(contentKey, 7, plaintext)).equals(expected)).to.equal(true);
    });

    it("decrypts back on either backend, whichever encrypted it", async function () {
      const sealed = await web.encryptShard(contentKey, 3, plaintext);
      expect(Buffer.from(await node.decryptShard(contentKey, 3, sealed)).equals(plaintext)).to.equal(true);
      expect(Buffer.from(await web.decryptShard(contentKey, 3, sealed)).equals(plaintext)).to.equal(true);
    });

    it("is keyed by its index: the same bytes at another index encrypt otherwise and do not decrypt there", async function () {
      const at0 = await node.encryptShard(contentKey, 0, plaintext);
      const at1 = await node.encryptShard(contentKey, 1, plaintext);
      expect(Buffer.from(at0).equals(Buffer.from(at1))).to.equal(false);
      expect(await cryptoCodeOf(node.decryptShard(contentKey, 1, at0))).to.equal(
        "CRYPTO_AUTHENTICATION_FAILED",
      );
    });

    for (const [name, crypto] of [
      ["node:crypto", node],
      ["webcrypto", web],
    ] as const) {
      describe(`on ${name}`, function () {
        it("refuses a ciphertext with one byte changed (body or tag) with CRYPTO_AUTHENTICATION_FAILED", async function () {
          const sealed = await crypto.encryptShard(contentKey, 2, plaintext);
          for (const at of [0, 50_000, sealed.length - 17, sealed.length - 1]) {
            expect(await cryptoCodeOf(crypto.decryptShard(contentKey, 2, flipped(sealed, at)))).to.equal(
              "CRYPTO_AUTHENTICATION_FAILED",
            );
          }
        });

        it("refuses another content key with CRYPTO_AUTHENTICATION_FAILED", async function () {
          const sealed = await crypto.encryptShard(contentKey, 2, plaintext);
          expect(await cryptoCodeOf(crypto.decryptShard(randomBytes(32), 2, sealed))).to.equal(
            "CRYPTO_AUTHENTICATION_FAILED",
          );
        });
      });
    }
  });

  describe("input it refuses", function () {
    it("a content key that is not 32 bytes, a negative or fractional index, a ciphertext shorter than a tag", async function () {
      const key = randomBytes(32);
      expect(await cryptoCodeOf(node.encryptShard(randomBytes(16), 0, randomBytes(4)))).to.equal(
        "CRYPTO_INVALID_INPUT",
      );
      expect(await cryptoCodeOf(node.encryptShard(key, -1, randomBytes(4)))).to.equal("CRYPTO_INVALID_INPUT");
      expect(await cryptoCodeOf(node.encryptShard(key, 1.5, randomBytes(4)))).to.equal(
        "CRYPTO_INVALID_INPUT",
      );
      expect(await cryptoCodeOf(node.encryptShard(key, 2 ** 32, randomBytes(4)))).to.equal(
        "CRYPTO_INVALID_INPUT",
      );
      expect(await cryptoCodeOf(node.decryptShard(key, 0, randomBytes(15)))).to.equal("CRYPTO_INVALID_INPUT");
    });
  });

  it("round-trips any bytes at any index, adding exactly the 16-byte tag", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        async (plaintext, index) => {
          const key = node.newContentKey();
          const sealed = await node.encryptShard(key, index, plaintext);
          expect(sealed.length).to.equal(plaintext.length + 16);
          expect(
            Buffer.from(await node.decryptShard(key, index, sealed)).equals(Buffer.from(plaintext)),
          ).to.equal(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  describe("a sealed manifest", function () {
    const contentKey = randomBytes(32);
    const manifest = randomBytes(20_000);

    it("seals to the documented bytes (its own info, no index) on both backends, never a shard's", async function () {
      const okm = Buffer.from(hkdfSync("sha256", contentKey, Buffer.alloc(0), SEALED_MANIFEST_INFO, 44));
      const cipher = createCipheriv("aes-256-gcm", okm.subarray(0, 32), okm.subarray(32, 44));
      const expected = Buffer.concat([cipher.update(manifest), cipher.final(), cipher.getAuthTag()]);
      expect(Buffer.from(await node.sealManifest(contentKey, manifest)).equals(expected)).to.equal(true);
      expect(Buffer.from(await web.sealManifest(contentKey, manifest)).equals(expected)).to.equal(true);
      expect(Buffer.from(await node.encryptShard(contentKey, 0, manifest)).equals(expected)).to.equal(false);
    });

    it("opens with its content key only, and refuses one changed byte", async function () {
      const sealed = await node.sealManifest(contentKey, manifest);
      expect(Buffer.from(await web.openSealedManifest(contentKey, sealed)).equals(manifest)).to.equal(true);
      expect(await cryptoCodeOf(node.openSealedManifest(randomBytes(32), sealed))).to.equal(
        "CRYPTO_AUTHENTICATION_FAILED",
      );
      expect(await cryptoCodeOf(node.openSealedManifest(contentKey, flipped(sealed, 5)))).to.equal(
        "CRYPTO_AUTHENTICATION_FAILED",
      );
    });
  });
});
