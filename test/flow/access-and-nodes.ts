import { randomBytes } from "node:crypto";

import {
  changeAccess,
  imageHistory,
  imageIdHex,
  replaceMember,
  retrieveImage,
  storeImage,
  updateImage,
  verifyImage,
} from "@disp/client";
import { sha256Hex } from "@disp/protocol";
import type { World } from "@disp/devkit";
import { expect } from "chai";

import {
  confirmedBy,
  expectCode,
  fixture,
  registeredImages,
  testWorld,
  variant,
  waitFor,
} from "./support.js";

describe("access, bad input, and the storage nodes over time", function () {
  this.timeout(240_000);
  let world: World;
  let close: () => Promise<void>;
  let image: Uint8Array;
  let stores = 0;

  before(async function () {
    ({ world, close } = await testWorld(4));
    image = await fixture("chelsea.png");
  });

  after(async function () {
    await close();
  });

  async function store(user = 0): Promise<bigint> {
    const owner = world.users[user];
    if (owner === undefined) throw new Error("no user account");
    const uploader = await world.startIpfs(`uploader-${Date.now()}`);
    // Each test stores an image of its own: an account cannot register the same content twice.
    // Public: these tests are about the registry's (advisory) read grants, not about keys.
    const result = await storeImage(
      world.client(owner, uploader),
      await variant(image, ++stores),
      { mode: "disp", communityId: world.communityId },
      { visibility: "public" },
    );
    await uploader.stop(); // the community alone holds it from here
    return result.imageId;
  }

  it("honours read grants and their revocation, and public images, as seen by the client", async function () {
    const imageId = await store();
    const [owner, reader] = world.users;
    if (owner === undefined || reader === undefined) throw new Error("no user accounts");
    const asReader = world.client(reader, await world.startIpfs("reader-grants"));
    await expectCode(retrieveImage(asReader, imageId), "CLIENT_NO_READ_GRANT");

    const ownerClient = world.client(owner, asReader.ipfs);
    expect((await changeAccess(ownerClient, "grant-read", imageId, reader.address)).changed).to.equal(true);
    expect((await retrieveImage(asReader, imageId)).exact).to.equal(true);

    await changeAccess(ownerClient, "revoke-read", imageId, reader.address);
    await expectCode(retrieveImage(asReader, imageId), "CLIENT_NO_READ_GRANT");

    await changeAccess(ownerClient, "make-public", imageId);
    expect((await retrieveImage(asReader, imageId)).exact).to.equal(true);

    // Only the owner changes access; an editor may add versions but not grant.
    await expectCode(changeAccess(asReader, "grant-read", imageId, reader.address), "CLIENT_NOT_AUTHORIZED");
    await expectCode(updateImage(asReader, imageId, image), "CLIENT_NOT_AUTHORIZED");
    await changeAccess(ownerClient, "grant-editor", imageId, reader.address);
    const v2 = await updateImage(asReader, imageId, await fixture("coffee.png"));
    expect(v2.version).to.equal(2n);

    const events = (await imageHistory(world, imageId)).map((entry) => entry.event);
    expect(events.filter((name) => name !== "StorageConfirmed")).to.deep.equal([
      "ImageRegistered",
      "ReadGranted",
      "ReadRevoked",
      "ImageVisibilityChanged",
      "EditorGranted",
      "VersionAdded",
    ]);
  });

  it("refuses bad input with a typed error, registering nothing but the one image it stores on purpose, leaving nothing pinned", async function () {
    const [owner, , stranger] = world.users;
    if (owner === undefined || stranger === undefined) throw new Error("no user accounts");
    const uploader = await world.startIpfs("uploader-bad");
    const client = world.client(owner, uploader);
    const before = await registeredImages(world);
    const disp = { mode: "disp", communityId: world.communityId } as const;

    await expectCode(storeImage(client, randomBytes(4096), disp), "IMAGE_UNKNOWN_FORMAT");
    await expectCode(storeImage(client, image.subarray(0, image.length >> 1), disp), "IMAGE_CORRUPT");
    await expectCode(storeImage(client, new Uint8Array(), disp), "IMAGE_EMPTY");
    await expectCode(
      storeImage(client, image, { mode: "disp", communityId: 99n }),
      "CLIENT_UNKNOWN_COMMUNITY",
    );
    await expectCode(
      storeImage(client, image, disp, { kernel: { height: 3, width: 3 } }),
      "CLIENT_INVALID_INPUT",
    );
    await expectCode(
      storeImage(client, image, { mode: "replicate", nodes: [stranger.address] }),
      "CLIENT_NOT_A_NODE",
    );
    await expectCode(retrieveImage(client, 12345n), "CLIENT_UNKNOWN_IMAGE");
    const existing = await store();
    await expectCode(retrieveImage(client, existing, { version: 9n }), "CLIENT_UNKNOWN_VERSION");
    await expectCode(updateImage(world.client(stranger, uploader), existing, image), "CLIENT_NOT_AUTHORIZED");
    const again = await expectCode(
      // Public, as the image was: a private store has a fresh key, so another root and id.
      storeImage(client, await variant(image, stores), disp, { visibility: "public" }),
      "CLIENT_IMAGE_EXISTS",
    );
    expect(again.message).to.include(imageIdHex(existing));

    expect(await registeredImages(world)).to.deep.equal([...before, existing]);
    expect(await uploader.pins()).to.deep.equal([]);
  });

  it("refuses to register while a member's IPFS node is unreachable, naming it, and keeps earlier pins", async function () {
    const down = world.nodes[3];
    const [owner, other] = world.users;
    if (down === undefined || owner === undefined || other === undefined) throw new Error("setup");
    const uploader = await world.startIpfs("uploader-unreachable");
    const disp = { mode: "disp", communityId: world.communityId } as const;
    // The same content, stored earlier from this node by another account: its parts are pinned here.
    const shared = await variant(image, ++stores);
    await storeImage(world.client(other, uploader), shared, disp);
    const pinnedBefore = (await uploader.pins()).map(String).sort();
    expect(pinnedBefore).to.have.length.greaterThan(0);
    const before = await registeredImages(world);
    await world.stopNode(down);
    try {
      const failure = await expectCode(
        storeImage(world.client(owner, uploader), shared, disp),
        "CLIENT_NOT_ENOUGH_NODES",
      );
      expect(failure.message).to.include(down.account.address);
      expect(await registeredImages(world)).to.deep.equal(before);
      expect((await uploader.pins()).map(String).sort()).to.deep.equal(pinnedBefore);
      const fresh = await world.startIpfs("uploader-unreachable-fresh");
      await expectCode(storeImage(world.client(owner, fresh), image, disp), "CLIENT_NOT_ENOUGH_NODES");
      expect(await fresh.pins()).to.deep.equal([]);
    } finally {
      await world.restartNode(down);
    }
  });

  it("names the slots that did not confirm in time, and the agent catches up after a restart", async function () {
    const node = world.nodes[3];
    const [owner] = world.users;
    if (node === undefined || owner === undefined) throw new Error("setup");
    let imageId = 0n;
    await world.restartAgent(node, async () => {
      const uploader = await world.startIpfs("uploader-restart");
      const failure = await expectCode(
        storeImage(
          world.client(owner, uploader),
          await variant(image, ++stores),
          { mode: "disp", communityId: world.communityId },
          { timeoutMs: 3000 },
        ),
        "CLIENT_STORAGE_TIMEOUT",
      );
      expect(failure.message).to.match(/slot 3 \(/);
      expect(failure.message).not.to.match(/slots? [012] \(/);
      imageId = (await registeredImages(world)).at(-1) ?? 0n;
    });
    // The agent reads what it missed from the chain, fetches its fragment and confirms.
    await waitFor(async () => confirmedBy(world, imageId, 1n, node.account.address));
    const report = await verifyImage(world.client(owner, await world.startIpfs("verifier-restart")), imageId);
    expect(report.ok).to.equal(true);
  });

  it("replaces a community member: the new node fetches its slot from the previous holder and confirms", async function () {
    const imageId = await store();
    const newcomer = await world.addNode();
    const leaving = world.nodes[2];
    if (leaving === undefined) throw new Error("setup");
    const replacement = await replaceMember(world, world.communityId, 2);
    expect(replacement).to.equal(newcomer.account.address);
    await waitFor(async () => confirmedBy(world, imageId, 1n, newcomer.account.address));
    // The replaced node's copy is no longer needed: without it the image is still whole.
    await world.stopNode(leaving);
    const [owner] = world.users;
    if (owner === undefined) throw new Error("setup");
    const result = await retrieveImage(
      world.client(owner, await world.startIpfs("reader-replaced")),
      imageId,
      { timeoutMs: 5000 },
    );
    expect(result.exact).to.equal(true);
    expect(result.contentHashVerified).to.equal(true);
    const report = await verifyImage(
      world.client(owner, await world.startIpfs("verifier-replaced")),
      imageId,
    );
    expect(report.slots[2]?.node).to.equal(newcomer.account.address);
    expect(report.ok).to.equal(true);
  });

  it("replicates the whole file on r nodes through the same calls, and reads it back exactly", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("setup");
    const nodes = world.nodes
      .filter((node) => node.running)
      .slice(0, 3)
      .map((node) => node.account.address);
    // Public: the replicas keep the file itself, byte for byte (private: test/flow/private-images.ts).
    const stored = await storeImage(
      world.client(owner, await world.startIpfs("uploader-replicate")),
      image,
      { mode: "replicate", nodes },
      { visibility: "public" },
    );
    expect(stored.codec).to.equal("file");
    expect(stored.parts.map((part) => part.node)).to.deep.equal(nodes);
    expect(stored.storedBytes).to.equal(3 * (image.length + stored.manifestBytes));
    const result = await retrieveImage(
      world.client(owner, await world.startIpfs("reader-replicate")),
      stored.imageId,
    );
    expect(sha256Hex(result.bytes)).to.equal(sha256Hex(image));
    expect(result.exact && result.contentHashVerified).to.equal(true);
  });
});
