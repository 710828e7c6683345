import { rm } from "node:fs/promises";

import { sha256Hex } from "@disp/protocol";
import { encodeImageFile } from "@disp/core";
import {
  changeAccess,
  contentKeyFor,
  openSealed,
  openVersion,
  repairSlot,
  retrieveImage,
  revokeWithRotation,
  storeImage,
  verifyImage,
  type ClientContext,
  type StoreResult,
} from "@disp/client";
import {
  demoPrivacy,
  embeddedBlockStore,
  isImageFile,
  sharesPlaintext,
  tamperWithStoredBlock,
  type World,
} from "@disp/devkit";
import { CID } from "@disp/ipfs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";

import { expectCode, fixture, testWorld } from "./support.js";

describe("private images on real nodes: ciphertext for everyone but the key holders", function () {
  this.timeout(900_000);
  let world: World;
  let close: () => Promise<void>;
  let jpeg: Uint8Array;
  let stored: StoreResult;
  /** What the codec writes for the file: the plaintext fragments no node may see. */
  let plaintexts: Uint8Array[];
  /** Each slot's ciphertext shard, as stored. */
  let shards: Uint8Array[];
  let owner: HardhatEthersSigner;
  let grantee: HardhatEthersSigner;
  let revoked: HardhatEthersSigner;
  let outsider: HardhatEthersSigner;

  const client = async (user: HardhatEthersSigner, name: string): Promise<ClientContext> =>
    world.client(user, await world.startIpfs(name));

  before(async function () {
    ({ world, close } = await testWorld(6));
    const [a, b, c, d] = world.users;
    if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error("users");
    [owner, grantee, revoked, outsider] = [a, b, c, d];
    jpeg = await fixture("rocket.jpg");
    const ownerClient = await client(owner, "owner");
    stored = await storeImage(ownerClient, jpeg, { mode: "disp", communityId: world.communityId });
    for (const reader of [grantee, revoked]) {
      await changeAccess(ownerClient, "grant-read", stored.imageId, reader.address);
    }
    const plain = await encodeImageFile(jpeg, { kernel: { height: 2, width: 2 }, codec: "jpeg" });
    plaintexts = plain.fragments.map((fragment) => fragment.bytes);
    shards = await Promise.all(stored.parts.map((part) => ownerClient.ipfs.cat(CID.parse(part.cid))));
    // From here on the community alone holds the image.
    await ownerClient.ipfs.stop();
  });

  after(async function () {
    await close();
  });

  it("stores private by default, 4+2 over the ciphertexts, and verifies for anyone without a key", async function () {
    expect([stored.visibility, stored.codec, stored.parity]).to.deep.equal(["private", "jpeg", "4+2"]);
    const report = await verifyImage(await client(outsider, "outsider-verify"), stored.imageId);
    expect(report.visibility).to.equal("private");
    expect(report.slots.map((slot) => [slot.status, slot.confirmed, slot.provenOnChain])).to.deep.equal(
      Array.from({ length: 6 }, () => ["held", true, true]),
    );
    expect(report.ok).to.equal(true);
  });

  it("gives an outsider who fetches every CID from the nodes only ciphertext, and its client CLIENT_NOT_GRANTED", async function () {
    const reader = await client(outsider, "outsider");
    await expectCode(retrieveImage(reader, stored.imageId), "CLIENT_NOT_GRANTED");
    const opened = await openVersion(reader, stored.imageId);
    expect(opened.manifest.codec).to.deep.equal({ name: "sealed", pooled: true });
    for (const cid of [stored.manifestCid, ...stored.parts.map((part) => part.cid)]) {
      const bytes = await reader.ipfs.cat(CID.parse(cid), { timeoutMs: 30_000 });
      expect(isImageFile(bytes), cid).to.equal(false);
      expect(sharesPlaintext(bytes, plaintexts), cid).to.equal(false);
    }
    // verify --file needs the key too: the content hash is sealed.
    await expectCode(verifyImage(reader, stored.imageId, { file: jpeg }), "CLIENT_NOT_GRANTED");
  });

  it("gives a grantee the file back byte for byte, and verify --file proves it with its key", async function () {
    const reader = await client(grantee, "grantee");
    const result = await retrieveImage(reader, stored.imageId);
    expect([result.visibility, result.exact, result.fidelity, result.contentHashVerified]).to.deep.equal([
      "private",
      true,
      "fileExact",
      true,
    ]);
    expect(sha256Hex(result.bytes)).to.equal(sha256Hex(jpeg));
    const report = await verifyImage(reader, stored.imageId, { file: jpeg });
    expect([report.fileMatches, report.fileFidelity, report.contentHash]).to.deep.equal([
      true,
      "fileExact",
      stored.contentHash,
    ]);
  });

  it("never uses a ciphertext shard with one byte changed: rebuilt from parity, the file exact", async function () {
    const node = world.nodes[1];
    const shard = shards[1];
    if (node === undefined || shard === undefined) throw new Error("setup");
    const tampering = await tamperWithStoredBlock(embeddedBlockStore(node.directory), shard);
    try {
      expect(tampering.copies).to.equal(1);
      const reader = await client(grantee, "grantee-tampered");
      const result = await retrieveImage(reader, stored.imageId, { timeoutMs: 4000 });
      expect(sha256Hex(result.bytes)).to.equal(sha256Hex(jpeg));
      expect([result.exact, result.path, result.rebuilt]).to.deep.equal([true, "parity", [1]]);
    } finally {
      await tampering.restore();
    }
  });

  it("refuses an envelope with one byte changed on its GCM tag, before any shard is fetched", async function () {
    const envelope = await world.registry.wrappedKey(stored.imageId, 1n, grantee.address);
    if (envelope === undefined) throw new Error("no envelope for the grantee");
    const changed = new Uint8Array(envelope);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0x01;
    const ownerRegistry = (await client(owner, "owner-keys")).registry;
    await ownerRegistry.publishKeys(stored.imageId, [
      { version: 1n, account: grantee.address, envelope: changed },
    ]);
    try {
      await expectCode(
        retrieveImage(await client(grantee, "grantee-bad-envelope"), stored.imageId),
        "CLIENT_KEY_MISMATCH",
      );
    } finally {
      await ownerRegistry.publishKeys(stored.imageId, [{ version: 1n, account: grantee.address, envelope }]);
    }
    const again = await retrieveImage(await client(grantee, "grantee-good-envelope"), stored.imageId);
    expect(again.exact).to.equal(true);
  });

  it("revokes with rotation: the revoked account cannot read or decrypt the new version, the grantee can", async function () {
    const revokedClient = await client(revoked, "revoked");
    const before = await retrieveImage(revokedClient, stored.imageId);
    expect(before.exact).to.equal(true);
    const oldKey = await contentKeyFor(revokedClient, stored.imageId, 1n);

    const rotated = await revokeWithRotation(await client(owner, "owner-rotate"), stored.imageId, [
      revoked.address,
    ]);
    expect([rotated.version, rotated.visibility, rotated.revoked]).to.deep.equal([
      2n,
      "private",
      [revoked.address],
    ]);
    expect(await world.registry.canRead(stored.imageId, revoked.address)).to.equal(false);

    await expectCode(
      retrieveImage(await client(revoked, "revoked-after"), stored.imageId),
      "CLIENT_NOT_GRANTED",
    );
    // Its key of version 1 does not open version 2 either.
    const opened = await openVersion(revokedClient, stored.imageId, 2n);
    const refusal = await openSealed(opened.manifest, oldKey).then(
      () => "opened",
      (error: unknown) => (error as { code?: string }).code,
    );
    expect(refusal).to.equal("CRYPTO_AUTHENTICATION_FAILED");

    const after = await retrieveImage(await client(grantee, "grantee-after"), stored.imageId);
    expect([after.version, after.exact]).to.deep.equal([2n, true]);
    expect(sha256Hex(after.bytes)).to.equal(sha256Hex(jpeg));
  });

  it("repairs a lost encrypted shard onto a new node whose agent holds no key; the leaf verifies on chain", async function () {
    const lost = world.nodes[2];
    if (lost === undefined) throw new Error("setup");
    await world.stopNode(lost);
    await rm(embeddedBlockStore(lost.directory), { recursive: true, force: true });
    const spare = await world.addNode();
    // No envelope of any version is wrapped for a storage node.
    for (const version of [1n, 2n]) {
      expect(await world.registry.wrappedKey(stored.imageId, version, spare.account.address)).to.equal(
        undefined,
      );
    }
    const repaired = await repairSlot({ registry: world.registry }, world.communityId, 2, {
      node: spare.account.address,
      timeoutMs: 180_000,
    });
    expect([repaired.node, repaired.versions, repaired.confirmed]).to.deep.equal([
      spare.account.address,
      2,
      true,
    ]);
    const report = await verifyImage(await client(outsider, "verifier-repaired"), stored.imageId);
    expect(report.slots[2]).to.include({ node: spare.account.address, status: "held", provenOnChain: true });
    const result = await retrieveImage(await client(grantee, "grantee-repaired"), stored.imageId);
    expect(sha256Hex(result.bytes)).to.equal(sha256Hex(jpeg));
  });

  it("plays the demo's privacy scene on the same community", async function () {
    const [, , , , owner2, grantee2, revoked2, outsider2] = world.users;
    if (!owner2 || !grantee2 || !revoked2 || !outsider2) throw new Error("users");
    const outcome = await demoPrivacy(world, {
      image: jpeg,
      owner: owner2,
      grantee: grantee2,
      revoked: revoked2,
      outsider: outsider2,
      say: () => undefined,
    });
    expect({
      visibility: outcome.visibility,
      outsiderGetsPlaintext: outcome.outsiderGetsPlaintext,
      granteeExact: outcome.granteeExact,
      revokedReadsRotatedVersion: outcome.revokedReadsRotatedVersion,
    }).to.deep.equal({
      visibility: "private",
      outsiderGetsPlaintext: false,
      granteeExact: true,
      revokedReadsRotatedVersion: false,
    });
  });

  it("hands the keys over with an offer of ownership: the new owner reads the image and grants it on", async function () {
    const [buyer, friend] = world.users.slice(8);
    if (buyer === undefined || friend === undefined) throw new Error("users");
    const sellerClient = await client(owner, "seller");
    const sold = await storeImage(sellerClient, jpeg, { mode: "disp", communityId: world.communityId });
    const offer = await changeAccess(sellerClient, "transfer", sold.imageId, buyer.address);
    expect(offer.wrappedVersions).to.deep.equal([1n]);
    const buyerClient = await client(buyer, "buyer");
    expect((await changeAccess(buyerClient, "accept-ownership", sold.imageId)).changed).to.equal(true);
    expect((await world.registry.imageInfo(sold.imageId)).owner).to.equal(buyer.address);

    const bought = await retrieveImage(buyerClient, sold.imageId);
    expect(sha256Hex(bought.bytes)).to.equal(sha256Hex(jpeg));
    // It holds the key now, so it can wrap it for a reader of its own.
    const grant = await changeAccess(buyerClient, "grant-read", sold.imageId, friend.address);
    expect(grant.wrappedVersions).to.deep.equal([1n]);
    const read = await retrieveImage(await client(friend, "buyers-friend"), sold.imageId);
    expect(sha256Hex(read.bytes)).to.equal(sha256Hex(jpeg));
  });
});
