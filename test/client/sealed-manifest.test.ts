import { addParity, encodeImageFile, parseManifest, rebuildFromShards, restoreShard } from "@disp/core";
import { createCrypto } from "@disp/crypto";
import { isClientError, openSealed, sealImage } from "@disp/client";
import { isImageFile, sharesPlaintext } from "@disp/devkit";
import { expect } from "chai";

import { fixtureBytes, sameBytes } from "../core/helpers.js";
import { cryptoCodeOf, flipped } from "../crypto/support.js";

const crypto = await createCrypto();
for (const { name, codec } of [
  { name: "rocket.jpg", codec: "jpeg" },
  { name: "coffee.png", codec: "png" },
] as const) {
  describe(`a private version of ${name} (${codec} fragments, 2x2 + 2 parity)`, function () {
    this.timeout(120_000);
    const source = fixtureBytes(name);
    const key = crypto.newContentKey();

    async function encode() {
      const plain = await encodeImageFile(source, { kernel: { height: 2, width: 2 }, codec });
      const sealed = await addParity(await sealImage(plain, key, crypto), 2);
      return { plain, sealed, shards: [...sealed.fragments, ...sealed.parityShards].map((s) => s.bytes) };
    }

    it("publishes only ciphertext: no shard is a JPEG or PNG, none shares 32 bytes with a plaintext fragment", async () => {
      const { plain, sealed, shards } = await encode();
      const manifestText = new TextDecoder().decode(sealed.manifestBytes);
      const plainBytes = plain.fragments.map((fragment) => fragment.bytes);
      expect(parseManifest(sealed.manifestBytes).codec).to.deep.equal({ name: "sealed", pooled: true });
      expect(manifestText).to.not.include(plain.contentHash.slice(2));
      expect(manifestText).to.not.include(`"${codec}"`);
      for (const shard of shards) {
        expect(isImageFile(shard)).to.equal(false);
        expect(sharesPlaintext(shard, plainBytes)).to.equal(false);
      }
      expect(sharesPlaintext(sealed.manifestBytes, plainBytes)).to.equal(false);
      for (const fragment of plain.fragments) expect(manifestText).to.not.include(fragment.cid);
      // The search does find a plaintext run where there is one.
      const first = plainBytes[0] ?? new Uint8Array();
      expect(sharesPlaintext(first.subarray(100, 140), plainBytes)).to.equal(true);
      expect(isImageFile(first)).to.equal(true);
      expect(sealed.parityShards).to.have.length(2);
      expect(sealed.manifest.proofs?.roots).to.have.length(6);
    });

    it("rebuilds the file exactly with the key, a tampered ciphertext shard rebuilt from parity", async () => {
      const { sealed, shards } = await encode();
      const opened = await openSealed(sealed.manifest, key, crypto);
      const given = shards.map((bytes, i) => (i === 1 ? flipped(bytes, 10) : bytes));
      const rebuilt = await rebuildFromShards(sealed.manifest, given, { sealed: opened });
      expect(rebuilt.shards.path).to.equal("parity");
      expect(rebuilt.shards.rejected.map(({ index }) => index)).to.deep.equal([1]);
      expect(rebuilt.exact && rebuilt.contentHashVerified).to.equal(true);
      if (codec === "jpeg") expect(sameBytes(rebuilt.bytes, source)).to.equal(true);
    });

    it("repairs a lost ciphertext shard from the others with no key", async () => {
      const { sealed, shards } = await encode();
      for (const lost of [0, 4]) {
        const given = shards.map((bytes, i) => (i === lost || i === 2 ? undefined : bytes));
        const shard = shards[lost];
        expect(shard && sameBytes(await restoreShard(sealed.manifest, given, lost), shard)).to.equal(true);
      }
    });

    it("refuses another content key and a changed ciphertext on the GCM tag", async () => {
      const { sealed, shards } = await encode();
      expect(await cryptoCodeOf(openSealed(sealed.manifest, crypto.newContentKey(), crypto))).to.equal(
        "CRYPTO_AUTHENTICATION_FAILED",
      );
      const opened = await openSealed(sealed.manifest, key, crypto);
      const first = shards[0] ?? new Uint8Array();
      expect(await cryptoCodeOf(opened.decrypt(0, flipped(first, first.length - 1)))).to.equal(
        "CRYPTO_AUTHENTICATION_FAILED",
      );
      // Fragment 1's ciphertext under fragment 0's key and nonce: swapped shards fail too.
      expect(await cryptoCodeOf(opened.decrypt(0, shards[1] ?? new Uint8Array()))).to.equal(
        "CRYPTO_AUTHENTICATION_FAILED",
      );
    });
  });
}

describe("a private version whose header makes its manifest too large to seal", () => {
  it("is refused with CLIENT_PRIVATE_MANIFEST_TOO_LARGE before anything is encrypted", async () => {
    const jpeg = fixtureBytes("rocket.jpg");
    // Ten 64 KiB comment segments after SOI: a header of 640 KiB, carried by the layout.
    const comment = new Uint8Array(65_535 + 2);
    comment.set([0xff, 0xfe, 0xff, 0xff]);
    const parts = [jpeg.subarray(0, 2), ...Array.from({ length: 10 }, () => comment), jpeg.subarray(2)];
    const file = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    parts.reduce((at, part) => (file.set(part, at), at + part.length), 0);
    const plain = await encodeImageFile(file, { kernel: { height: 2, width: 2 }, codec: "jpeg" });
    const refused = await sealImage(plain, crypto.newContentKey(), crypto).then(
      () => "sealed",
      (error: unknown) => (isClientError(error) ? error.code : String(error)),
    );
    expect(refused).to.equal("CLIENT_PRIVATE_MANIFEST_TOO_LARGE");
  });
});
