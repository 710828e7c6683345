import { sha256Hex } from "@disp/protocol";
import { psnr } from "@disp/core";
import {
  imageHistory,
  imageIdOf,
  retrieveImage,
  storeImage,
  updateImage,
  verifyImage,
  type StoreResult,
} from "@disp/client";
import { embeddedBlockStore, tamperWithStoredBlock, tampered, type World } from "@disp/devkit";
import { CID } from "@disp/ipfs";
import { expect } from "chai";

import { fixture, testWorld } from "./support.js";

describe("the whole flow: store, retrieve, verify, versions", function () {
  this.timeout(180_000);
  let world: World;
  let close: () => Promise<void>;
  let jpeg: Uint8Array;
  let stored: StoreResult;

  before(async function () {
    ({ world, close } = await testWorld(4));
    jpeg = await fixture("rocket.jpg");
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const uploader = await world.startIpfs("uploader");
    const phases = new Set<string>();
    stored = await storeImage(
      world.client(owner, uploader),
      jpeg,
      { mode: "disp", communityId: world.communityId },
      {
        // Public: these tests read the viewable fragments' content hash without a key.
        visibility: "public",
        onProgress: (event) => phases.add(event.phase),
      },
    );
    expect([...phases]).to.include.members(["add", "register", "confirm"]);
    // From here on the community alone holds the image.
    await uploader.stop();
  });

  after(async function () {
    await close();
  });

  it("stores a JPEG with the JPEG-native codec: one fragment per slot, each kept by its slot's node", async function () {
    const [owner] = world.users;
    // The id the registry gave is the one anyone can compute from the owner and version 1's root.
    expect(stored.imageId).to.equal(imageIdOf(owner?.address ?? "", stored.root));
    expect(stored.imageId).to.equal(await world.registry.imageIdOf(owner?.address ?? "", stored.root));
    expect(stored.codec).to.equal("jpeg");
    expect(stored.parts.map((part) => part.node)).to.deep.equal(
      world.nodes.map((node) => node.account.address),
    );
    for (const [slot, node] of world.nodes.entries()) {
      const part = stored.parts[slot];
      expect(await node.ipfs.has(CID.parse(part?.cid ?? ""))).to.equal(true);
    }
    expect(stored.storedBytes / jpeg.length).to.be.below(1.25);
  });

  it("gives a reader on a node that never saw the upload the original file, byte for byte", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const reader = await world.startIpfs("reader-exact");
    const result = await retrieveImage(world.client(owner, reader), stored.imageId);
    expect(result.exact).to.equal(true);
    expect(result.contentHashVerified).to.equal(true);
    expect(sha256Hex(result.bytes)).to.equal(sha256Hex(jpeg));
    expect(result.missing).to.deep.equal([]);
  });

  it("verifies every slot: receipt on chain, fragment valid, proof accepted by the registry", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const report = await verifyImage(world.client(owner, await world.startIpfs("verifier")), stored.imageId);
    expect(report.ok, JSON.stringify(report.slots)).to.equal(true);
    expect(report.slots.map((slot) => [slot.confirmed, slot.status, slot.provenOnChain])).to.deep.equal(
      Array.from({ length: 4 }, () => [true, "held", true]),
    );
    expect(report.contentHash).to.equal(sha256Hex(jpeg));
  });

  it("proves that a file is the registered version, and that another is not", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const client = world.client(owner, await world.startIpfs("prover"));
    const genuine = await verifyImage(client, stored.imageId, { file: jpeg });
    expect([genuine.fileMatches, genuine.ok]).to.deep.equal([true, true]);
    const other = await verifyImage(client, stored.imageId, { file: await fixture("coffee.png") });
    expect([other.fileMatches, other.ok]).to.deep.equal([false, false]);
  });

  it("never uses a tampered copy: the fragment counts as missing and the image comes back approximate", async function () {
    const [owner] = world.users;
    const node = world.nodes[2];
    const part = stored.parts[2];
    if (owner === undefined || node === undefined || part === undefined) throw new Error("setup");
    const bytes = await node.ipfs.cat(CID.parse(part.cid));
    // Restored in the finally, so a failure here never leaves a tampered copy for the next test.
    const tampering = await tamperWithStoredBlock(embeddedBlockStore(node.directory), bytes);
    try {
      expect(tampering.copies).to.equal(1);
      const client = world.client(owner, await world.startIpfs("reader-tampered"));
      const result = await retrieveImage(client, stored.imageId, { timeoutMs: 3000 });
      expect(result.exact).to.equal(false);
      expect(result.contentHashVerified).to.equal(false);
      expect(result.missing).to.deep.equal([2]);
      const report = await verifyImage(
        world.client(owner, await world.startIpfs("verifier-tampered")),
        stored.imageId,
        { timeoutMs: 3000 },
      );
      expect(report.ok).to.equal(false);
      expect(report.slots.filter((slot) => slot.status !== "held").map((slot) => slot.slot)).to.deep.equal([
        2,
      ]);
      expect(
        await world.registry.verifyFragment(stored.imageId, 1n, 2, sha256Hex(tampered(bytes)), []),
      ).to.equal(false);
    } finally {
      await tampering.restore();
    }
  });

  it("adds a version (owner only); both versions stay readable and the history lists them", async function () {
    const [owner, stranger] = world.users;
    if (owner === undefined || stranger === undefined) throw new Error("no user accounts");
    const png = await fixture("astronaut.png");
    const uploader = await world.startIpfs("uploader-v2");
    const v2 = await updateImage(world.client(owner, uploader), stored.imageId, png);
    expect(v2.version).to.equal(2n);
    expect(v2.codec).to.equal("png");

    const reader = world.client(owner, await world.startIpfs("reader-versions"));
    const latest = await retrieveImage(reader, stored.imageId);
    expect(latest.version).to.equal(2n);
    expect(latest.exact && latest.contentHashVerified).to.equal(true);
    const first = await retrieveImage(reader, stored.imageId, { version: 1n });
    expect(sha256Hex(first.bytes)).to.equal(sha256Hex(jpeg));

    const history = await imageHistory(world, stored.imageId);
    const versions = history.filter(
      (entry) => entry.event === "ImageRegistered" || entry.event === "VersionAdded",
    );
    expect(versions.map((entry) => entry.version)).to.deep.equal([1, 2]);
    expect(history.filter((entry) => entry.event === "StorageConfirmed")).to.have.length(8);
  });

  it("recovers without one node, flagged approximate, with the PSNR the codec promises", async function () {
    const [owner] = world.users;
    const down = world.nodes[3];
    if (owner === undefined || down === undefined) throw new Error("setup");
    const reader = world.client(owner, await world.startIpfs("reader-before"));
    const exact = await retrieveImage(reader, stored.imageId, { version: 1n });
    await world.stopNode(down);
    try {
      const degraded = await retrieveImage(
        world.client(owner, await world.startIpfs("reader-degraded")),
        stored.imageId,
        {
          version: 1n,
          timeoutMs: 3000,
        },
      );
      expect(degraded.exact).to.equal(false);
      expect(degraded.missing).to.deep.equal([3]);
      expect(degraded.estimatedPixels).to.be.greaterThan(0);
      expect(psnr(await exact.pixels(), await degraded.pixels())).to.be.greaterThan(30);
    } finally {
      await world.restartNode(down);
    }
  });
});
