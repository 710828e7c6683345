import { rm } from "node:fs/promises";

import { MANIFEST_UNIXFS, sha256Hex } from "@disp/protocol";
import { parseManifest } from "@disp/core";
import { repairSlot, retrieveImage, storeImage, verifyImage, type StoreResult } from "@disp/client";
import { embeddedBlockStore, tamperWithStoredBlock, type StorageNode, type World } from "@disp/devkit";
import { CID } from "@disp/ipfs";
import { expect } from "chai";

import { expectCode, fixture, registeredImages, testWorld } from "./support.js";

/** Every pair of slots out of `n`. */
function pairs(n: number): [number, number][] {
  const all: [number, number][] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) all.push([a, b]);
  return all;
}

describe("parity on real nodes: a 4+2 image survives any two lost nodes, and a lost slot is repaired", function () {
  this.timeout(600_000);
  let world: World;
  let close: () => Promise<void>;
  let jpeg: Uint8Array;
  let stored: StoreResult;
  /** Each slot's shard and the manifest, as stored: what a node whose store is wiped gets back. */
  let shards: Uint8Array[];
  let manifestBytes: Uint8Array;
  /** Shards agents rebuilt from parity, as "node index:slot". */
  const repairs: string[] = [];

  before(async function () {
    ({ world, close } = await testWorld(6, {
      onAgentEvent: (node, event) => {
        if (event.type === "repaired") repairs.push(`${node}:${event.task.fragment}`);
      },
    }));
    jpeg = await fixture("rocket.jpg");
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const uploader = await world.startIpfs("uploader");
    stored = await storeImage(world.client(owner, uploader), jpeg, {
      mode: "disp",
      communityId: world.communityId,
    });
    shards = await Promise.all(stored.parts.map((part) => uploader.cat(CID.parse(part.cid))));
    manifestBytes = await uploader.cat(CID.parse(stored.manifestCid));
    // From here on the community alone holds the image.
    await uploader.stop();
  });

  after(async function () {
    await close();
  });

  /** Stops a node and deletes its block store: the node and what it kept are gone. */
  async function lose(node: StorageNode): Promise<void> {
    await world.stopNode(node);
    await rm(embeddedBlockStore(node.directory), { recursive: true, force: true });
  }

  /** Brings a lost node back with its shard and the manifest pinned again, as before the loss. */
  async function bringBack(node: StorageNode, slot: number): Promise<void> {
    await world.restartNode(node);
    const manifest = parseManifest(manifestBytes);
    await node.ipfs.add(shards[slot] ?? new Uint8Array(), manifest.unixfs);
    await node.ipfs.add(manifestBytes, MANIFEST_UNIXFS);
  }

  it("stores 4+2 by default on a community of 6: fragments in slots 0-3, parity in 4-5, about 1.5× the file", async function () {
    expect(stored.parity).to.equal("4+2");
    expect(stored.codec).to.equal("jpeg");
    expect(stored.parts.map((part) => part.index)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(stored.parts.map((part) => part.node)).to.deep.equal(world.nodes.map((n) => n.account.address));
    const manifest = parseManifest(manifestBytes);
    expect(manifest.parity?.shards.map((shard) => shard.cid)).to.deep.equal(
      stored.parts.slice(4).map((part) => part.cid),
    );
    // The shards alone (each node also pins the manifest): (k + m) / k of the file, and a little.
    const shardBytes = stored.parts.reduce((sum, part) => sum + part.size, 0);
    expect(shardBytes / jpeg.length)
      .to.be.above(1.45)
      .and.below(1.6);
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const report = await verifyImage(world.client(owner, await world.startIpfs("verifier")), stored.imageId);
    expect(
      report.slots.map((slot) => [slot.slot, slot.status, slot.confirmed, slot.provenOnChain]),
    ).to.deep.equal([0, 1, 2, 3, 4, 5].map((slot) => [slot, "held", true, true]));
  });

  it("gives the original file back byte for byte with any two nodes stopped and their block stores deleted", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    for (const [a, b] of pairs(6)) {
      const down = [world.nodes[a], world.nodes[b]];
      for (const node of down) if (node) await lose(node);
      try {
        const reader = world.client(owner, await world.startIpfs(`reader-${a}-${b}`));
        const result = await retrieveImage(reader, stored.imageId, { timeoutMs: 15_000 });
        const what = `slots ${a} and ${b} lost`;
        expect(sha256Hex(result.bytes), what).to.equal(sha256Hex(jpeg));
        expect([result.exact, result.fidelity, result.contentHashVerified], what).to.deep.equal([
          true,
          "fileExact",
          true,
        ]);
        const lostData = [a, b].filter((slot) => slot < 4);
        expect(result.path, what).to.equal(lostData.length === 0 ? "merge" : "parity");
        expect(result.rebuilt, what).to.deep.equal(lostData);
        expect(result.missing, what).to.deep.equal([]);
        expect(result.shards).to.equal("4+2");
      } finally {
        for (const [i, node] of down.entries()) if (node) await bringBack(node, i === 0 ? a : b);
      }
    }
  });

  it("never uses a tampered shard: it is rebuilt from parity and the result is still exact", async function () {
    const [owner] = world.users;
    const node = world.nodes[1];
    if (owner === undefined || node === undefined) throw new Error("setup");
    const tampering = await tamperWithStoredBlock(
      embeddedBlockStore(node.directory),
      shards[1] ?? new Uint8Array(),
    );
    try {
      expect(tampering.copies).to.equal(1);
      const reader = world.client(owner, await world.startIpfs("reader-tampered"));
      const result = await retrieveImage(reader, stored.imageId, { timeoutMs: 4000 });
      expect(sha256Hex(result.bytes)).to.equal(sha256Hex(jpeg));
      expect([result.exact, result.path, result.rebuilt, result.lost]).to.deep.equal([
        true,
        "parity",
        [1],
        [1],
      ]);
    } finally {
      await tampering.restore();
    }
  });

  it("repairs a lost slot onto a free node, whose rebuilt shard verifies on chain; then two other nodes can be lost", async function () {
    const [owner] = world.users;
    const lost = world.nodes[2];
    if (owner === undefined || lost === undefined) throw new Error("setup");
    await lose(lost);
    const spare = await world.addNode();
    const repaired = await repairSlot({ registry: world.registry }, world.communityId, 2, {
      node: spare.account.address,
      timeoutMs: 120_000,
    });
    expect([repaired.removed, repaired.node, repaired.versions, repaired.confirmed]).to.deep.equal([
      lost.account.address,
      spare.account.address,
      1,
      true,
    ]);
    // Nobody served shard 2 (its node and the uploader are gone): the new member rebuilt it.
    expect(repairs).to.deep.equal(["6:2"]);
    const part = stored.parts[2];
    if (part === undefined) throw new Error("no part 2");
    const rebuilt = await spare.ipfs.cat(CID.parse(part.cid));
    expect(sha256Hex(rebuilt)).to.equal(sha256Hex(shards[2] ?? new Uint8Array()));
    // The same leaf as registered: a repair never changes the root.
    const report = await verifyImage(
      world.client(owner, await world.startIpfs("verifier-repaired")),
      stored.imageId,
    );
    expect(report.slots[2]).to.include({
      node: spare.account.address,
      status: "held",
      confirmed: true,
      provenOnChain: true,
    });

    const others = [world.nodes[0], world.nodes[5]];
    for (const node of others) if (node) await lose(node);
    const reader = world.client(owner, await world.startIpfs("reader-after-repair"));
    const result = await retrieveImage(reader, stored.imageId, { timeoutMs: 15_000 });
    expect(sha256Hex(result.bytes)).to.equal(sha256Hex(jpeg));
    expect([result.exact, result.fidelity]).to.deep.equal([true, "fileExact"]);
  });

  it("refuses a shape that does not fit the community, naming the --parity that would, and registers nothing", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const before = await registeredImages(world);
    const client = world.client(owner, await world.startIpfs("uploader-bad"));
    const target = { mode: "disp", communityId: world.communityId } as const;
    const wrong = await expectCode(
      storeImage(client, jpeg, target, { parity: 1, kernel: { height: 2, width: 2 } }),
      "CLIENT_INVALID_INPUT",
    );
    expect(wrong.message).to.include("--parity 2");
    const tooMany = await expectCode(storeImage(client, jpeg, target, { parity: 6 }), "CLIENT_INVALID_INPUT");
    expect(tooMany.message).to.include("--parity 5");
    expect(await registeredImages(world)).to.deep.equal(before);
  });
});
