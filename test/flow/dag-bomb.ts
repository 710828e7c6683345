import { randomBytes } from "node:crypto";

import { changeAccess, retrieveImage, storeImage, type ClientContext } from "@disp/client";
import { encodeImageFile, serializeManifest } from "@disp/core";
import { startWorld, type World } from "@disp/devkit";
import type { AgentEvent } from "@disp/client";
import { CID, type IpfsNode } from "@disp/ipfs";
import { buildTree, isManifestCid, MANIFEST_UNIXFS, merkleValues } from "@disp/protocol";
import { expect } from "chai";
import { hexlify } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { heliaOf } from "../../packages/ipfs/src/embedded.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";
import { dagBomb } from "../ipfs/support/hostile-dag.js";
import { confirmedBy, expectCode, fixture, variant } from "./support.js";

const MiB = 1024 * 1024;
/** The bound this test holds the agents to while they meet the bomb (the issue saw 4.8 GB). */
const MEMORY_BOUND = 64 * MiB;

/** The peak heap and RSS growth of this process (where the four agents run) while `work` runs. */
async function peakGrowth(work: () => Promise<void>): Promise<{ heap: number; rss: number }> {
  const start = process.memoryUsage();
  let heap = 0;
  let rss = 0;
  const sample = (): void => {
    const now = process.memoryUsage();
    heap = Math.max(heap, now.heapUsed - start.heapUsed);
    rss = Math.max(rss, now.rss - start.rss);
  };
  const sampler = setInterval(sample, 10);
  try {
    await work();
  } finally {
    clearInterval(sampler);
    sample();
  }
  return { heap, rss };
}

describe("a DAG bomb registered as an image's manifest (issue 14, item 1)", function () {
  this.timeout(240_000);
  let directory: string;
  let connection: NetworkConnection;
  let world: World;
  const events: { node: number; event: AgentEvent }[] = [];

  before(async function () {
    directory = await tempDir("dag-bomb");
    connection = await network.create();
    try {
      world = await startWorld(connection, {
        directory,
        communitySize: 4,
        fetchTimeoutMs: 5000,
        onAgentEvent: (node, event) => events.push({ node, event }),
      });
    } catch (error) {
      await connection.close();
      await removeDir(directory);
      throw error;
    }
  });

  after(async function () {
    await world.stop();
    await connection.close();
    await removeDir(directory);
  });

  /** The attacker's node: it holds the bomb's blocks and is connected to every member. */
  async function attackerNode(): Promise<{ ipfs: IpfsNode; bomb: ReturnType<typeof dagBomb> }> {
    const ipfs = await world.startIpfs(`attacker-${Date.now()}`);
    const bomb = dagBomb(1024);
    const helia = heliaOf(ipfs);
    if (helia === undefined) throw new Error("an embedded node has a Helia instance");
    for (const block of bomb.blocks) await helia.blockstore.put(block.cid, block.bytes);
    for (const node of world.nodes) {
      const [address] = await node.ipfs.addresses();
      if (address !== undefined) await ipfs.connect(address);
    }
    return { ipfs, bomb };
  }

  /** Registers the bomb's root as the manifest CID of a 4-part image on the community. */
  async function registerBomb(client: ClientContext, bomb: ReturnType<typeof dagBomb>) {
    const root = hexlify(randomBytes(32));
    const registered = await client.registry.registerImage(
      world.communityId,
      4,
      root,
      hexlify(bomb.root.bytes),
    );
    const receipt = await connection.ethers.provider.getTransactionReceipt(registered.transactionHash);
    return { imageId: registered.imageId, gas: receipt?.gasUsed ?? 0n };
  }

  /** Resolves once every member's agent has given up on the image for good. */
  async function permanentFailures(imageId: bigint, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const failed = events.filter(
        ({ event }) => event.type === "failed" && BigInt(event.task.imageId) === imageId && !event.willRetry,
      );
      const nodes = new Set(failed.map(({ node }) => node));
      if (nodes.size === world.nodes.length) {
        return failed.map(({ event }) => (event.type === "failed" ? event.reason : ""));
      }
      if (Date.now() > deadline) expect.fail(`only nodes ${[...nodes].join(", ")} gave up on the bomb`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("is refused unread by every agent, within a fixed memory bound, and by a reader, fast", async function () {
    const [, reader, attacker] = world.users;
    if (reader === undefined || attacker === undefined) throw new Error("no user accounts");
    const { ipfs, bomb } = await attackerNode();
    const client = world.client(attacker, ipfs);

    let imageId = 0n;
    let gas = 0n;
    const growth = await peakGrowth(async () => {
      const registered = await registerBomb(client, bomb);
      ({ imageId, gas } = registered);
      // Gas of the attack, measured: 74-75k per registration (the issue measured 74.7k).
      expect(Number(registered.gas)).to.be.within(50_000, 120_000);
      const reasons = await permanentFailures(imageId, 30_000);
      for (const reason of reasons) expect(reason).to.match(/is not one raw block hashed with SHA-256/);
    });
    console.log(
      `      dag bomb: registration ${gas} gas, peak growth heap ${growth.heap} B, rss ${growth.rss} B`,
    );
    expect(growth.heap, `heap grew ${growth.heap} bytes`).to.be.below(MEMORY_BOUND);
    expect(growth.rss, `rss grew ${growth.rss} bytes`).to.be.below(MEMORY_BOUND);

    // No agent keeps the bomb pending, nor retries it.
    for (const node of world.nodes) {
      const report = await node.agent.sync();
      expect(report.pending).to.equal(0);
    }
    const failures = events.filter(
      ({ event }) => event.type === "failed" && BigInt(event.task.imageId) === imageId,
    );
    expect(failures).to.have.length(world.nodes.length);

    // A reader of the (public) bomb image fails at once, before anything is fetched.
    await changeAccess(client, "make-public", imageId);
    const asReader = world.client(reader, await world.startIpfs(`bomb-reader-${Date.now()}`));
    const started = performance.now();
    await expectCode(retrieveImage(asReader, imageId), "CLIENT_MANIFEST_MISMATCH");
    expect(performance.now() - started).to.be.below(5000);

    // The DAG reader itself, asked for the bomb over bitswap, refuses it at its root.
    const [attackerAddress] = await ipfs.addresses();
    if (attackerAddress === undefined) throw new Error("the attacker's node listens");
    await asReader.ipfs.connect(attackerAddress);
    const catStarted = performance.now();
    await expectCode(asReader.ipfs.cat(bomb.root, { maxBytes: MiB, timeoutMs: 5000 }), "IPFS_INTEGRITY");
    expect(performance.now() - catStarted).to.be.below(5000);
    await asReader.ipfs.stop();
    await ipfs.stop();
  });

  it("as a fragment of a manifest that matches its root, is refused by that slot's agent within the bound; the other slots store theirs", async function () {
    const [, , attacker] = world.users;
    if (attacker === undefined) throw new Error("no user accounts");
    const { ipfs, bomb } = await attackerNode();
    const encoded = await encodeImageFile(await variant(await fixture("chelsea.png"), 7), {
      kernel: { height: 2, width: 2 },
    });
    const manifest = structuredClone(encoded.manifest);
    const first = manifest.fragments[0];
    if (first === undefined) throw new Error("four fragments");
    first.cid = bomb.root.toString();
    const manifestBytes = serializeManifest(manifest);
    const root = buildTree(merkleValues(manifest, manifestBytes)).root;
    const manifestCid = await ipfs.add(manifestBytes, MANIFEST_UNIXFS);
    for (const fragment of encoded.fragments.slice(1)) await ipfs.add(fragment.bytes, manifest.unixfs);

    let imageId = 0n;
    const growth = await peakGrowth(async () => {
      const registered = await world
        .client(attacker, ipfs)
        .registry.registerImage(world.communityId, 4, root, hexlify(manifestCid.bytes));
      imageId = registered.imageId;
      const deadline = Date.now() + 30_000;
      const of = (type: string) =>
        events.filter(
          ({ event }) => event.type === type && "task" in event && BigInt(event.task.imageId) === imageId,
        );
      while (of("stored").length < 3 || of("failed").length < 1) {
        if (Date.now() > deadline) expect.fail("the members did not all act on the image");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(
        of("stored")
          .map(({ node }) => node)
          .sort(),
      ).to.deep.equal([1, 2, 3]);
      for (const { node, event } of of("failed")) {
        expect(node).to.equal(0);
        expect(event.type === "failed" && event.reason).to.match(/declares 0 bytes/);
      }
    });
    console.log(`      dag bomb as a fragment: peak growth heap ${growth.heap} B, rss ${growth.rss} B`);
    expect(growth.heap, `heap grew ${growth.heap} bytes`).to.be.below(MEMORY_BOUND);
    expect(growth.rss, `rss grew ${growth.rss} bytes`).to.be.below(MEMORY_BOUND);
    await ipfs.stop();
  });

  it("does not hold up an honest image stored right behind a bomb: it is stored and confirmed by every member", async function () {
    const [owner, , attacker] = world.users;
    if (owner === undefined || attacker === undefined) throw new Error("no user accounts");
    const { ipfs, bomb } = await attackerNode();
    const bombed = await registerBomb(world.client(attacker, ipfs), bomb);

    const uploader = await world.startIpfs(`honest-${Date.now()}`);
    const started = performance.now();
    const stored = await storeImage(
      world.client(owner, uploader),
      await variant(await fixture("chelsea.png"), 1),
      {
        mode: "disp",
        communityId: world.communityId,
      },
    );
    const storeMs = performance.now() - started;
    console.log(`      honest store behind a bomb: ${Math.round(storeMs)} ms`);
    // What store writes is what every reader accepts: one raw block.
    expect(isManifestCid(CID.parse(stored.manifestCid))).to.equal(true);
    for (const node of world.nodes) {
      expect(await confirmedBy(world, stored.imageId, stored.version, node.account.address)).to.equal(true);
    }
    await permanentFailures(bombed.imageId, 30_000);
    expect(storeMs).to.be.below(15_000);
    await uploader.stop();
    await ipfs.stop();
  });
});
