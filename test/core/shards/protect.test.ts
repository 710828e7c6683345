import { expect } from "chai";

import {
  MANIFEST_LEAF_INDEX,
  MAX_VERSION_SHARDS,
  PARITY_FIELD,
  PARITY_MATRIX,
  PARITY_SCHEME,
  SEGMENT_SCHEME,
  SEGMENT_SIZE,
  buildTree,
  computeCid,
  merkleValues,
  proofFor,
  segmentRoot,
  sha256Hex,
  shardCommitment,
  verifyLeaf,
} from "@disp/protocol";
import {
  ParityError,
  addParity,
  encodeImageFile,
  encodeParity,
  parseManifest,
  restoreFragments,
  restoreShard,
  serializeManifest,
  validateManifest,
  type Manifest,
  type ProtectedImage,
} from "@disp/core";

import { refusal } from "../codec/helpers.js";
import { fixtureBytes, pseudoRandomBytes, sameBytes } from "../helpers.js";
import { allShards } from "./helpers.js";

const KERNEL = { height: 2, width: 2 };

describe("shards: parity in the manifest and the version root", function () {
  this.timeout(60_000);
  let image: ProtectedImage;
  before(async () => {
    image = await addParity(await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL }), 2);
  });

  describe("the parity section", () => {
    it("names the scheme, field and matrix, k, m, the padded length and each fragment's length", () => {
      const { parity, fragments } = image.manifest;
      const sizes = fragments.map((fragment) => fragment.size);
      expect(parity).to.deep.include({
        scheme: PARITY_SCHEME,
        field: PARITY_FIELD,
        matrix: PARITY_MATRIX,
        k: 4,
        m: 2,
        shardLength: Math.max(...sizes),
        dataLengths: sizes,
      });
    });

    it("has one entry per parity shard, like a fragment's, with leaf index k + p", async () => {
      const shards = image.manifest.parity?.shards ?? [];
      expect(shards.map((shard) => shard.index)).to.deep.equal([4, 5]);
      for (const [p, shard] of image.parityShards.entries()) {
        expect(shards[p]).to.deep.equal({
          index: 4 + p,
          cid: (await computeCid(shard.bytes, image.manifest.unixfs)).toString(),
          size: shard.bytes.length,
          sha256: sha256Hex(shard.bytes),
        });
      }
    });

    it("is the library's parity over the fragment files as stored", async () => {
      const { parity } = await encodeParity(
        image.fragments.map((fragment) => fragment.bytes),
        2,
      );
      parity.forEach((bytes, p) =>
        expect(sameBytes(bytes, image.parityShards[p]?.bytes ?? new Uint8Array())).to.equal(true),
      );
    });

    it("reads back from its canonical bytes to the same manifest", () => {
      expect(parseManifest(image.manifestBytes)).to.deep.equal(image.manifest);
      expect(sameBytes(serializeManifest(image.manifest), image.manifestBytes)).to.equal(true);
    });

    it("with m = 0 adds no parity, only the fragments' segment roots", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
      const same = await addParity(encoded, 0);
      expect(same.manifest.parity).to.equal(null);
      expect(same.parityShards).to.deep.equal([]);
      expect(same.manifest.proofs?.roots).to.deep.equal(encoded.fragments.map((f) => segmentRoot(f.bytes)));
      expect(same.manifest).to.deep.equal({ ...encoded.manifest, proofs: same.manifest.proofs });
    });

    it("refuses an image that already has its segment roots", async () => {
      expect((await refusal(addParity(image, 0), ParityError)).code).to.equal("PARITY_INVALID_PARAMS");
    });
  });

  describe("the proofs section", () => {
    it("names the scheme and segment size and has every shard's segment root in leaf order", () => {
      expect(image.manifest.proofs).to.deep.equal({
        scheme: SEGMENT_SCHEME,
        segmentSize: SEGMENT_SIZE,
        roots: allShards(image).map((bytes) => segmentRoot(bytes)),
      });
    });

    it("refuses a manifest whose roots are not one per shard", () => {
      const proofs = image.manifest.proofs;
      const short = { ...image.manifest, proofs: proofs && { ...proofs, roots: proofs.roots.slice(1) } };
      expect(() => validateManifest(short)).to.throw(/one per shard/);
    });
  });

  describe("the version root", () => {
    it("has a leaf per shard: fragments 0..k-1, parity k..k+m-1, and the manifest leaf", () => {
      const values = merkleValues(image.manifest, image.manifestBytes);
      expect(values.map(([index]) => index)).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n, MANIFEST_LEAF_INDEX]);
      const shard = image.parityShards[0];
      const root = image.manifest.proofs?.roots[4];
      expect(shard && root && values[4]?.[1]).to.equal(
        shard && root && shardCommitment(shard.sha256, shard.bytes.length, root),
      );
      expect(values[6]?.[1]).to.equal(sha256Hex(image.manifestBytes));
    });

    it("proves a parity shard against the root like a fragment", () => {
      const tree = buildTree(merkleValues(image.manifest, image.manifestBytes));
      const shard = image.parityShards[1];
      const digest = shardCommitment(
        shard?.sha256 ?? "0x",
        shard?.bytes.length ?? 0,
        image.manifest.proofs?.roots[5] ?? "0x",
      );
      expect(verifyLeaf(tree.root, 5, digest, proofFor(tree, 5))).to.equal(true);
      expect(verifyLeaf(tree.root, 4, digest, proofFor(tree, 4))).to.equal(false);
      expect(verifyLeaf(tree.root, 5, shard?.sha256 ?? "", proofFor(tree, 5))).to.equal(false);
    });
  });

  describe("restoreShard, for a repair", () => {
    it("rebuilds any one shard, data or parity, exactly, from the others with m lost", async () => {
      const shards = allShards(image);
      for (const [index, original] of shards.entries()) {
        const other = (index + 3) % shards.length;
        const given = shards.map((bytes, i) => (i === index || i === other ? undefined : bytes));
        const restored = await restoreShard(image.manifest, given, index);
        expect(sameBytes(restored, original), `shard ${index}`).to.equal(true);
        // The repaired node proves the same segments the leaf committed to.
        expect(segmentRoot(restored), `shard ${index}'s segment root`).to.equal(
          image.manifest.proofs?.roots[index],
        );
      }
    });

    it("refuses with more than m lost rather than estimate", async () => {
      const given = allShards(image).map((bytes, i) => (i < 3 ? undefined : bytes));
      expect((await refusal(restoreShard(image.manifest, given, 0), ParityError)).code).to.equal(
        "PARITY_TOO_MANY_LOST",
      );
    });
  });

  describe("on bad input: a typed error, nothing made", () => {
    it("refuses m above what the library computes", async () => {
      const error = await refusal(addParity(image, 300), ParityError);
      expect(error.code).to.equal("PARITY_INVALID_PARAMS");
      for (const m of [-1, 1.5]) {
        const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
        expect((await refusal(addParity(encoded, m), ParityError)).code).to.equal("PARITY_INVALID_PARAMS");
      }
    });

    it("refuses k + m above the contract's largest community", async () => {
      const encoded = await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: KERNEL });
      const error = await refusal(addParity(encoded, MAX_VERSION_SHARDS - 3), ParityError);
      expect(error.code).to.equal("PARITY_SHARD_LIMIT");
      expect(error.message).to.match(/use --parity 60 or less/);
      expect((await addParity(encoded, MAX_VERSION_SHARDS - 4)).parityShards).to.have.length(60);
    });

    it("refuses an image that already has parity", async () => {
      expect((await refusal(addParity(image, 1), ParityError)).code).to.equal("PARITY_INVALID_PARAMS");
    });

    it("refuses a manifest whose parity section disagrees with itself or its fragments", () => {
      const parity = image.manifest.parity;
      if (parity === null) throw new Error("parity expected");
      const [first, second] = parity.shards;
      const variants: Record<string, unknown> = {
        "another field": { ...parity, field: "gf256/0x11b/3" },
        "another scheme": { ...parity, scheme: "reed-solomon-gf256-cauchy@1" },
        "k not the fragment count": { ...parity, k: 3, dataLengths: parity.dataLengths.slice(0, 3) },
        "a data length not the fragment's": {
          ...parity,
          dataLengths: [...parity.dataLengths.slice(0, 3), 1],
        },
        "m not the shard count": { ...parity, m: 3 },
        "a shard index not k + p": { ...parity, shards: [second, first] },
        "a shard size not shardLength": { ...parity, shards: [{ ...first, size: 7 }, second] },
        "k + m above 64": {
          ...parity,
          m: 61,
          shards: Array.from({ length: 61 }, (_, p) => ({ ...first, index: 4 + p })),
        },
      };
      for (const [what, section] of Object.entries(variants)) {
        expect(() => validateManifest({ ...image.manifest, parity: section }), what).to.throw(
          /invalid manifest/,
        );
      }
    });

    it("refuses the wrong number of shard files", async () => {
      const error = await refusal(
        restoreFragments(image.manifest, allShards(image).slice(0, 5)),
        ParityError,
      );
      expect(error.code).to.equal("PARITY_INVALID_SHARDS");
    });

    it("treats a parity file of the wrong length as an erasure, never used", async () => {
      const shards: (Uint8Array | undefined)[] = allShards(image);
      const length = image.manifest.parity?.shardLength ?? 0;
      shards[1] = undefined;
      shards[4] = shards[4]?.slice(1);
      const restored = await restoreFragments(image.manifest, shards);
      expect(restored.rejected).to.deep.equal([
        {
          index: 4,
          code: "SHARD_SIZE_MISMATCH",
          reason: `is ${length - 1} bytes, the manifest says ${length}`,
        },
      ]);
      expect(restored.path).to.equal("parity");
      expect(
        sameBytes(restored.fragments[1] ?? new Uint8Array(), allShards(image)[1] ?? new Uint8Array()),
      ).to.equal(true);
    });

    it("refuses parity from another image that a manifest names as its own (PARITY_INCONSISTENT)", async () => {
      // Parity over other bytes of the same lengths, given entries that match it: only the rebuilt
      // fragment's own digest can tell.
      const fragments = image.fragments.map((fragment, i) => ({
        ...fragment,
        bytes: pseudoRandomBytes(fragment.bytes.length, 100 + i),
      }));
      const foreign = await addParity(
        { ...image, manifest: { ...image.manifest, parity: null, proofs: null }, fragments },
        2,
      );
      const manifest: Manifest = { ...image.manifest, parity: foreign.manifest.parity };
      const shards: (Uint8Array | undefined)[] = [
        ...image.fragments.map((fragment) => fragment.bytes),
        ...foreign.parityShards.map((shard) => shard.bytes),
      ];
      shards[2] = undefined;
      shards[3] = undefined;
      const error = await refusal(restoreFragments(manifest, shards), ParityError);
      expect(error.code).to.equal("PARITY_INCONSISTENT");
      expect(error.message).to.match(/do not belong/);
    });
  });
});
