import { createHash, randomBytes } from "node:crypto";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { allowUploaders, at, namedSigners, nodeAccounts, optInAll, registeredImageId } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const MANIFEST_LEAF_INDEX = 2n ** 256n - 1n;
const sha256 = (bytes: Uint8Array) => `0x${createHash("sha256").update(bytes).digest("hex")}`;

type Leaf = [bigint, string];

/**
 * A version's tree as the client builds it: one `[i, sha256(fragment i)]` per fragment and one
 * `[MANIFEST_LEAF_INDEX, sha256(manifest)]`.
 */
function versionTree(fragmentCount: number) {
  const values: Leaf[] = Array.from({ length: fragmentCount }, (_, i) => [
    BigInt(i),
    sha256(randomBytes(64)),
  ]);
  values.push([MANIFEST_LEAF_INDEX, sha256(randomBytes(200))]);
  return { tree: StandardMerkleTree.of(values, ["uint256", "bytes32"]), values };
}

const manifestCid = (digest: string) => ethers.concat(["0x01551220", digest]);

/** Communities of 4 (id 1) and 64 (id 2); an image (`imageId`) on community 1 with versions 1 and 2. */
async function deployFixture() {
  const { owner } = await namedSigners(ethers, ["admin", "owner"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  await optInAll(registry, await nodeAccounts(ethers, networkHelpers, 68));
  await (await registry.formCommunity(4)).wait();
  await (await registry.formCommunity(64)).wait();
  await allowUploaders(registry, 1n, [owner]);
  await allowUploaders(registry, 2n, [owner]);

  const v1 = versionTree(4);
  const v2 = versionTree(4);
  const image = registry.connect(owner);
  const imageId = await registeredImageId(
    registry,
    image.registerImage(1, 4, v1.tree.root, manifestCid(at(v1.values, 4)[1])),
  );
  await (await image.addVersion(imageId, v2.tree.root, manifestCid(at(v2.values, 4)[1]))).wait();
  return { registry, image, imageId, v1, v2 };
}

describe("verifyFragment with trees from @openzeppelin/merkle-tree", function () {
  it("proves every fragment and the manifest of each version", async function () {
    const { registry, v1, v2, imageId } = await loadFixture(deployFixture);
    for (const [version, { tree }] of [
      [1, v1],
      [2, v2],
    ] as const) {
      for (const [i, [index, digest]] of tree.entries()) {
        expect(await registry.verifyFragment(imageId, version, index, digest, tree.getProof(i))).to.equal(
          true,
        );
      }
    }
  });

  it("proves the fragments of a 64-member community's image", async function () {
    const { registry, image } = await loadFixture(deployFixture);
    const { tree, values } = versionTree(64);
    const bigImage = await registeredImageId(
      registry,
      image.registerImage(2, 64, tree.root, manifestCid(at(values, 64)[1])),
    );
    for (const i of [0, 17, 63, 64]) {
      const [index, digest] = at(values, i);
      expect(
        await registry.verifyFragment(bigImage, 1, index, digest, tree.getProof(at(values, i))),
      ).to.equal(true);
    }
  });

  it("rejects a digest that is not the fragment's", async function () {
    const { registry, v1, imageId } = await loadFixture(deployFixture);
    const proof = v1.tree.getProof(at(v1.values, 2));
    expect(await registry.verifyFragment(imageId, 1, 2, sha256(randomBytes(64)), proof)).to.equal(false);
  });

  it("rejects a fragment proven at another index", async function () {
    const { registry, v1, imageId } = await loadFixture(deployFixture);
    const [, digest] = at(v1.values, 2);
    const proof = v1.tree.getProof(at(v1.values, 2));
    expect(await registry.verifyFragment(imageId, 1, 3, digest, proof)).to.equal(false);
    expect(await registry.verifyFragment(imageId, 1, MANIFEST_LEAF_INDEX, digest, proof)).to.equal(false);
  });

  it("rejects another leaf's proof and an empty proof", async function () {
    const { registry, v1, imageId } = await loadFixture(deployFixture);
    const [, digest] = at(v1.values, 2);
    expect(await registry.verifyFragment(imageId, 1, 2, digest, v1.tree.getProof(at(v1.values, 0)))).to.equal(
      false,
    );
    expect(await registry.verifyFragment(imageId, 1, 2, digest, [])).to.equal(false);
  });

  it("rejects a fragment of version 1 checked against version 2", async function () {
    const { registry, v1, imageId } = await loadFixture(deployFixture);
    const [index, digest] = at(v1.values, 1);
    expect(
      await registry.verifyFragment(imageId, 2, index, digest, v1.tree.getProof(at(v1.values, 1))),
    ).to.equal(false);
  });

  it("rejects a leaf past the fragment count even when the root commits to it", async function () {
    const { registry, image, imageId } = await loadFixture(deployFixture);
    // A careless (or hostile) client put a fifth fragment into a 4-member community's tree.
    const { tree, values } = versionTree(5);
    await image.addVersion(imageId, tree.root, manifestCid(at(values, 5)[1]));
    const [index, digest] = at(values, 4);
    expect(index).to.equal(4n);
    expect(await registry.verifyFragment(imageId, 3, index, digest, tree.getProof(at(values, 4)))).to.equal(
      false,
    );
    // Its genuine fragments and manifest still verify.
    const [manifestIndex, manifestDigest] = at(values, 5);
    expect(
      await registry.verifyFragment(imageId, 3, manifestIndex, manifestDigest, tree.getProof(at(values, 5))),
    ).to.equal(true);
  });
});
