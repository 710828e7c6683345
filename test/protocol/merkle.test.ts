import { expect } from "chai";
import { AbiCoder, concat, keccak256 } from "ethers";

import {
  buildTree,
  MANIFEST_LEAF_INDEX,
  merkleValues,
  proofFor,
  sha256Hex,
  verifyLeaf,
} from "@disp/protocol";
import { splitImageFile } from "@disp/core";

import { fixtureBytes } from "../core/helpers.js";

async function version() {
  const { manifest, manifestBytes, fragments } = await splitImageFile(fixtureBytes("coffee.png"), {
    kernel: { height: 2, width: 2 },
  });
  const values = merkleValues(manifest, manifestBytes);
  return { manifest, manifestBytes, fragments, values, tree: buildTree(values) };
}

/** The leaf as the contract computes it: keccak256(bytes.concat(keccak256(abi.encode(index, digest)))). */
function solidityLeaf(index: bigint, digest: string): string {
  return keccak256(
    concat([keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32"], [index, digest]))]),
  );
}

describe("Merkle leaves", () => {
  it("has one leaf per fragment (sha256 of its file) and one for the manifest at index 2**256 - 1", async () => {
    const { manifestBytes, fragments, values } = await version();
    expect(MANIFEST_LEAF_INDEX).to.equal(2n ** 256n - 1n);
    expect(values).to.deep.equal([
      ...fragments.map((f) => [BigInt(f.index), sha256Hex(f.bytes)]),
      [MANIFEST_LEAF_INDEX, sha256Hex(manifestBytes)],
    ]);
  });

  it("hashes leaves exactly as the contract does (double keccak of abi.encode(uint256, bytes32))", async () => {
    const { tree } = await version();
    for (const [position, [index, digest]] of tree.entries()) {
      expect(tree.leafHash([index, digest])).to.equal(solidityLeaf(index, digest));
      expect(position).to.be.a("number");
    }
  });

  it("gives proofs that verify for every leaf, the manifest leaf included", async () => {
    const { tree, values } = await version();
    for (const [index, digest] of values) {
      expect(verifyLeaf(tree.root, index, digest, proofFor(tree, index))).to.equal(true);
    }
  });

  it("rejects a proof with the wrong index, the wrong digest or another root", async () => {
    const { tree, values } = await version();
    const [index, digest] = values[1] as [bigint, string];
    const proof = proofFor(tree, index);
    expect(verifyLeaf(tree.root, index + 1n, digest, proof)).to.equal(false);
    expect(verifyLeaf(tree.root, MANIFEST_LEAF_INDEX, digest, proof)).to.equal(false);
    expect(verifyLeaf(tree.root, index, sha256Hex(new Uint8Array([1])), proof)).to.equal(false);
    expect(verifyLeaf(`0x${"11".repeat(32)}`, index, digest, proof)).to.equal(false);
    expect(verifyLeaf(tree.root, index, digest, proof.slice(1))).to.equal(false);
    expect(() => proofFor(tree, 99)).to.throw(RangeError);
  });

  it("changes the root when any fragment or the manifest changes", async () => {
    const { manifest, manifestBytes, tree } = await version();
    const tampered = {
      ...manifest,
      fragments: manifest.fragments.map((f, i) =>
        i === 2 ? { ...f, sha256: sha256Hex(new Uint8Array([2])) } : f,
      ),
    };
    expect(buildTree(merkleValues(tampered, manifestBytes)).root).to.not.equal(tree.root);
    const otherBytes = manifestBytes.slice();
    otherBytes[10] = (otherBytes[10] as number) ^ 1;
    expect(buildTree(merkleValues(manifest, otherBytes)).root).to.not.equal(tree.root);
  });
});
