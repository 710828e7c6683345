import { rm } from "node:fs/promises";

import { addParity, encodeImageFile, parseManifest, serializeManifest } from "@disp/core";
import {
  dialNodes,
  storeImage,
  verifyImage,
  watchRepairs,
  type AgentEvent,
  type StoreResult,
} from "@disp/client";
import { embeddedBlockStore, startWorld, type World } from "@disp/devkit";
import { CID } from "@disp/ipfs";
import { buildTree, merkleValues, proofFor, shardEntries, type Hex32 } from "@disp/protocol";
import { expect } from "chai";
import { hexlify } from "ethers";
import { network } from "hardhat";

import type { StorageChallenges } from "../../packages/client/src/typechain/index.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";
import { fixture } from "./support.js";

const ALL_SIX = 0b111111n;

describe("storage proofs on real nodes: agents answer challenges from their own block stores", function () {
  this.timeout(600_000);
  let connection: Awaited<ReturnType<typeof network.create<"generic">>>;
  let directory: string;
  let world: World;
  let challenges: StorageChallenges;
  let stored: StoreResult;
  let manifestBytes: Uint8Array;
  const events: { node: number; event: AgentEvent }[] = [];

  before(async function () {
    connection = await network.create();
    const { ethers } = connection;
    directory = await tempDir("proofs");
    const [admin] = await ethers.getSigners();
    if (admin === undefined) throw new Error("no admin account");
    // The agents need the challenges' address before the world deploys: the Disp module deploys the
    // key registry, the registry, then the challenges, from the admin's first three nonces (checked
    // below through the challenges' REGISTRY).
    const address = ethers.getCreateAddress({ from: admin.address, nonce: 2 });
    world = await startWorld(connection, {
      directory,
      communitySize: 6,
      fetchTimeoutMs: 5000,
      agent: { challenges: address },
      onAgentEvent: (node, event) => events.push({ node, event }),
    });
    challenges = await ethers.getContractAt("StorageChallenges", address);
    expect(await challenges.REGISTRY()).to.equal(world.registryAddress);
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const uploader = await world.startIpfs("uploader");
    stored = await storeImage(world.client(owner, uploader), await fixture("rocket.jpg"), {
      mode: "disp",
      communityId: world.communityId,
    });
    manifestBytes = await uploader.cat(CID.parse(stored.manifestCid));
    // From here on the community alone holds the image.
    await uploader.stop();
  });

  after(async function () {
    await world.stop();
    await connection.close();
    await removeDir(directory);
  });

  /** Opens the next epoch and challenges version 1 of the image in it; returns the epoch. */
  async function challengeNextEpoch(): Promise<bigint> {
    const { ethers, networkHelpers } = connection;
    const epochBlocks = await challenges.EPOCH_BLOCKS();
    const block = BigInt(await ethers.provider.getBlockNumber());
    await networkHelpers.mineUpTo((block / epochBlocks + 1n) * epochBlocks);
    await (await challenges.openEpoch()).wait();
    const manifest = parseManifest(manifestBytes);
    const [shard0] = shardEntries(manifest);
    const root0 = manifest.proofs?.roots[0];
    if (shard0 === undefined || root0 === undefined) throw new Error("the manifest has no segment roots");
    const tree = buildTree(merkleValues(manifest, manifestBytes));
    await (
      await challenges.challenge(
        stored.imageId,
        1,
        shard0.sha256,
        shard0.size,
        root0,
        proofFor(tree, 0) as Hex32[],
      )
    ).wait();
    return challenges.currentEpoch();
  }

  /** Waits until the slots in `mask` have answered the epoch's challenge (the agents poll every 200 ms). */
  async function answered(epoch: bigint, mask: bigint): Promise<bigint> {
    for (let i = 0; i < 300; i++) {
      const state = await challenges.challengeOf(epoch, stored.imageId, 1);
      if ((state.answered & mask) === mask) return state.answered;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect.fail(`the slots ${mask.toString(2)} did not all answer epoch ${epoch}`);
  }

  /** Waits until node `index`'s agent reports that it cannot answer the epoch's challenge. */
  async function reported(index: number, epoch: bigint): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (
        events.some(
          ({ node, event }) => node === index && event.type === "unprovable" && event.epoch === epoch,
        )
      ) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect.fail(`node ${index} never reported epoch ${epoch}'s challenge as unprovable`);
  }

  async function closeWindow(): Promise<void> {
    const { networkHelpers } = connection;
    await networkHelpers.mine((await challenges.RESPONSE_WINDOW()) + 1n);
  }

  it("stores with segment roots, and every honest agent answers every challenge over three epochs", async function () {
    expect(parseManifest(manifestBytes).proofs?.roots).to.have.length(6);
    for (let round = 1; round <= 3; round++) {
      const epoch = await challengeNextEpoch();
      expect(await answered(epoch, ALL_SIX)).to.equal(ALL_SIX);
      await closeWindow();
    }
    for (const node of world.nodes) {
      const record = await challenges.nodeRecord(node.account.address);
      expect([record.answered, record.missed]).to.deep.equal([3n, 0n]);
    }
  });

  it("catches a node whose shard was deleted in one epoch, and emits RepairNeeded after its second miss", async function () {
    const cheater = world.nodes[2];
    if (cheater === undefined) throw new Error("no node in slot 2");
    await world.stopNode(cheater);
    await rm(embeddedBlockStore(cheater.directory), { recursive: true, force: true });
    await world.restartNode(cheater);
    const honest = ALL_SIX & ~(1n << 2n);

    const first = await challengeNextEpoch();
    expect((await answered(first, honest)) & (1n << 2n)).to.equal(0n);
    // Its agent sees the challenge and finds no shard of its own to prove.
    await reported(2, first);
    await closeWindow();
    await expect(challenges.recordMiss(first, stored.imageId, 1, 2))
      .to.emit(challenges, "ProofMissed")
      .withArgs(first, stored.imageId, cheater.account.address, 1n, 2n)
      .and.to.not.emit(challenges, "RepairNeeded");

    const second = await challengeNextEpoch();
    await answered(second, honest);
    await closeWindow();
    await expect(challenges.recordMiss(second, stored.imageId, 1, 2))
      .to.emit(challenges, "RepairNeeded")
      .withArgs(world.communityId, 2n, cheater.account.address);
    const record = await challenges.nodeRecord(cheater.account.address);
    expect([record.answered, record.missed, record.missesInARow]).to.deep.equal([3n, 2n, 2n]);
  });

  it("repairs the slot from RepairNeeded without a human, and the new member proves the same segments", async function () {
    const [owner] = world.users;
    const cheater = world.nodes[2];
    if (owner === undefined || cheater === undefined) throw new Error("setup");
    const spare = await world.addNode();
    // The manager's watcher: it reads RepairNeeded and gives the slot to the next free node.
    const watcher = watchRepairs(
      { registry: world.registry },
      world.registry.challengesAt(await challenges.getAddress()),
      {
        fromBlock: world.fromBlock,
        repair: { timeoutMs: 120_000 },
      },
    );
    const [repaired, ...more] = await watcher.poll();
    expect(more).to.deep.equal([]);
    expect([repaired?.slot, repaired?.removed, repaired?.node, repaired?.confirmed]).to.deep.equal([
      2,
      cheater.account.address,
      spare.account.address,
      true,
    ]);
    expect(await watcher.poll(), "each event is repaired once").to.deep.equal([]);
    const report = await verifyImage(world.client(owner, await world.startIpfs("verifier")), stored.imageId);
    expect(report.slots[2]).to.include({
      node: spare.account.address,
      status: "held",
      confirmed: true,
      provenOnChain: true,
    });
    // The rebuilt shard has the segment root the leaf committed to: the new member passes.
    const epoch = await challengeNextEpoch();
    expect(await answered(epoch, ALL_SIX)).to.equal(ALL_SIX);
    expect((await challenges.nodeRecord(spare.account.address)).answered).to.equal(1n);
  });

  it("refuses to confirm a shard whose segment root in the manifest is not its bytes' own", async function () {
    const owner = world.users[1];
    if (owner === undefined) throw new Error("no second user");
    const image = await addParity(
      await encodeImageFile(await fixture("rocket.jpg"), { kernel: { height: 2, width: 2 } }),
      2,
    );
    const proofs = image.manifest.proofs;
    if (proofs === null) throw new Error("no segment roots");
    // Slot 1's root is another shard's: a root no honest node could prove segments of.
    const manifest = {
      ...image.manifest,
      proofs: { ...proofs, roots: proofs.roots.map((r, i) => (i === 1 ? (proofs.roots[0] ?? r) : r)) },
    };
    const bytes = serializeManifest(manifest);
    const uploader = await world.startIpfs("hostile-uploader");
    const client = world.client(owner, uploader);
    for (const shard of [...image.fragments, ...image.parityShards])
      await uploader.add(shard.bytes, manifest.unixfs);
    const cid = await uploader.add(bytes, manifest.unixfs);
    expect(
      await dialNodes(client, await world.registry.communityMembers(world.communityId), { timeoutMs: 5000 }),
    ).to.deep.equal([]);
    const root = buildTree(merkleValues(manifest, bytes)).root;
    const { imageId } = await client.registry.registerImage(world.communityId, 6, root, hexlify(cid.bytes));
    for (let i = 0; i < 300; i++) {
      const refused = events.find(
        ({ node, event }) =>
          node === 1 && event.type === "quarantined" && event.task.imageId === imageId.toString(),
      );
      const receipts = await world.registry.storageReceipts(imageId, 1n);
      if (refused !== undefined && receipts.some((receipt) => receipt.slot === 0)) {
        expect(refused.event).to.deep.include({ code: "CLIENT_MANIFEST_MISMATCH" });
        expect(refused.event.type === "quarantined" && refused.event.reason).to.match(/segment root/);
        expect(receipts.some((receipt) => receipt.slot === 1)).to.equal(false);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect.fail("slot 1 neither refused the shard nor did slot 0 confirm its own");
  });
});
