import { randomBytes } from "node:crypto";

import { createEmbeddedNode, isIpfsError, type IpfsErrorCode, type IpfsNode } from "@disp/ipfs";
import { DEFAULT_UNIXFS, MIN_UNIXFS_CHUNK_SIZE } from "@disp/protocol";
import { expect } from "chai";
import type { CID } from "multiformats/cid";

import { MAX_LINKS_PER_NODE, maxBlocksFor, readFile } from "../../packages/ipfs/src/dag.js";
import { heliaOf } from "../../packages/ipfs/src/embedded.js";
import { removeDir, tempDir } from "./support/files.js";
import { dagBomb, fileNode, rawBlock, repeated, type Block } from "./support/hostile-dag.js";

const KiB = 1024;
const MiB = 1024 * KiB;

async function expectIpfsCode(promise: Promise<unknown>, code: IpfsErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(isIpfsError(error), `expected an IpfsError ${code}, got ${String(error)}`).to.equal(true);
    expect((error as { code: string }).code).to.equal(code);
    return error as Error;
  }
  expect.fail(`expected a failure with ${code}`);
}

/** Blocks served from memory: every fetch resolves at once (no I/O gives timers a turn). */
function memoryBlocks(blocks: readonly Block[]) {
  const held = new Map(blocks.map((block) => [block.cid.toString(), block.bytes]));
  let inFlight = 0;
  let maxInFlight = 0;
  let fetched = 0;
  const getBlock = async (cid: CID): Promise<Uint8Array> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    fetched++;
    try {
      await Promise.resolve();
      const bytes = held.get(cid.toString());
      if (bytes === undefined) throw new Error(`no block ${cid}`);
      return bytes;
    } finally {
      inFlight--;
    }
  };
  return { getBlock, stats: () => ({ maxInFlight, fetched }) };
}

describe("the DAG reader on hostile DAGs", function () {
  this.timeout(60_000);
  let directory: string;
  let node: IpfsNode;

  before(async function () {
    directory = await tempDir("hostile-dag");
    node = await createEmbeddedNode({ directory, timeoutMs: 10_000 });
  });

  after(async function () {
    await node.stop();
    await removeDir(directory);
  });

  /** Puts hand-made blocks into the node's own block store, as a hostile uploader's node would hold them. */
  async function hold(blocks: readonly Block[]): Promise<void> {
    const helia = heliaOf(node);
    if (helia === undefined) throw new Error("an embedded node has a Helia instance");
    for (const block of blocks) await helia.blockstore.put(block.cid, block.bytes);
  }

  describe("the 3-block DAG bomb of issue 14 (L = 1024 links, declared sizes 0)", function () {
    it("is refused at its root with IPFS_INTEGRITY, in well under a second and a few MiB", async function () {
      const bomb = dagBomb(1024);
      const bytes = bomb.blocks.reduce((sum, block) => sum + block.bytes.length, 0);
      expect(bytes).to.be.within(80_000, 95_000); // what the issue measured: 84 KB of blocks
      await hold(bomb.blocks);
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      const error = await expectIpfsCode(node.cat(bomb.root, { maxBytes: MiB }), "IPFS_INTEGRITY");
      expect(error.message).to.match(/declares 0 bytes/);
      await expectIpfsCode(node.pin(bomb.root), "IPFS_INTEGRITY");
      await expectIpfsCode(node.has(bomb.root), "IPFS_INTEGRITY");
      expect(performance.now() - started).to.be.below(1000);
      expect(process.memoryUsage().heapUsed - heapBefore).to.be.below(16 * MiB);
    });
  });

  describe("when a child declares no bytes or other bytes than it holds", function () {
    it("refuses a zero-size child that carries data", async function () {
      const leaf = rawBlock(randomBytes(2 * KiB));
      const root = fileNode([{ cid: leaf.cid, size: 0 }]);
      await hold([leaf, root]);
      const error = await expectIpfsCode(node.cat(root.cid), "IPFS_INTEGRITY");
      expect(error.message).to.match(/declares 0 bytes/);
    });

    it("refuses a child holding more bytes than its parent declares", async function () {
      const leaf = rawBlock(randomBytes(4 * KiB));
      const root = fileNode([{ cid: leaf.cid, size: KiB }]);
      await hold([leaf, root]);
      const error = await expectIpfsCode(node.cat(root.cid), "IPFS_INTEGRITY");
      expect(error.message).to.match(/holds 4096 bytes, its parent says 1024/);
    });
  });

  describe("when a node has more links than a layout allows", function () {
    it(`refuses more than MAX_LINKS_PER_NODE (${MAX_LINKS_PER_NODE}) links`, async function () {
      const leaf = rawBlock(randomBytes(KiB));
      const root = fileNode(repeated(leaf.cid, MAX_LINKS_PER_NODE + 1, KiB));
      await hold([leaf, root]);
      const error = await expectIpfsCode(node.cat(root.cid), "IPFS_INTEGRITY");
      expect(error.message).to.match(/more than the 8192 a layout may have/);
    });

    it("refuses more links than its size has whole chunks", async function () {
      const leaf = rawBlock(randomBytes(1));
      const root = fileNode(repeated(leaf.cid, 100, 1));
      await hold([leaf, root]);
      const error = await expectIpfsCode(node.cat(root.cid), "IPFS_INTEGRITY");
      expect(error.message).to.match(/100 links for 100 bytes/);
    });
  });

  describe("when the DAG repeats itself or has more blocks than its size allows", function () {
    it("reads a subtree linked many times no more often than the size it declares allows", async function () {
      // 1024 links to one node of 1024 links to one 1 KiB leaf, sizes declared honestly: a valid
      // 1 GiB file of 3 blocks. A reader bounded by maxBytes refuses it at its root; a pin fetches
      // its 3 blocks once.
      const leaf = rawBlock(randomBytes(KiB));
      const middle = fileNode(repeated(leaf.cid, 1024, KiB));
      const root = fileNode(repeated(middle.cid, 1024, MiB));
      await hold([leaf, middle, root]);
      await expectIpfsCode(node.cat(root.cid, { maxBytes: 64 * MiB }), "IPFS_TOO_LARGE");
      const started = performance.now();
      await node.pin(root.cid);
      expect(await node.has(root.cid)).to.equal(true);
      expect(performance.now() - started).to.be.below(2000);
      await node.unpin(root.cid);
    });

    it("refuses a repeated child declared with two sizes", async function () {
      const leaf = rawBlock(randomBytes(2 * KiB));
      const middle = fileNode(repeated(leaf.cid, 2, 2 * KiB));
      const root = fileNode([
        { cid: middle.cid, size: 4 * KiB },
        { cid: middle.cid, size: 3 * KiB },
      ]);
      await hold([leaf, middle, root]);
      await expectIpfsCode(node.cat(root.cid), "IPFS_INTEGRITY");
      const error = await expectIpfsCode(node.pin(root.cid), "IPFS_INTEGRITY");
      expect(error.message).to.match(/declares .* as 4096 and 3072 bytes/);
    });

    it("refuses a chain of nodes longer than the file's size allows", async function () {
      // 100 single-link nodes over one 1 KiB leaf: all distinct, all declaring the right size.
      const chain: Block[] = [rawBlock(randomBytes(KiB))];
      for (let i = 0; i < 100; i++) chain.push(fileNode([{ cid: (chain.at(-1) as Block).cid, size: KiB }]));
      await hold(chain);
      expect(maxBlocksFor(KiB)).to.equal(66);
      const error = await expectIpfsCode(node.cat((chain.at(-1) as Block).cid), "IPFS_INTEGRITY");
      expect(error.message).to.match(/more blocks than its size allows/);
    });

    it("refuses a file larger than maxBytes with IPFS_TOO_LARGE before reading past its root", async function () {
      const bytes = randomBytes(MiB);
      const cid = await node.add(bytes);
      await expectIpfsCode(node.cat(cid, { maxBytes: MiB - 1 }), "IPFS_TOO_LARGE");
    });
  });

  describe("on honest files", function () {
    it("still reads files whose chunks repeat (identical leaves, and identical interior nodes once a node's worth line up), down to the narrowest layout", async function () {
      const zeros = new Uint8Array(3 * MiB + 5);
      const cid = await node.add(zeros);
      expect(Buffer.compare(await node.cat(cid, { maxBytes: zeros.length }), zeros)).to.equal(0);
      const small = { ...DEFAULT_UNIXFS, chunkSize: MIN_UNIXFS_CHUNK_SIZE, maxChildrenPerNode: 11 };
      const mixed = Buffer.concat([randomBytes(50 * KiB), new Uint8Array(30 * KiB), randomBytes(7)]);
      const mixedCid = await node.add(mixed, small);
      expect(Buffer.compare(await node.cat(mixedCid), mixed)).to.equal(0);
      expect(await node.has(mixedCid)).to.equal(true);
      // The narrowest layout a manifest may record: the most blocks per byte an honest file has.
      const narrowest = { ...small, maxChildrenPerNode: 2 };
      const deep = randomBytes(300 * KiB + 5);
      const deepCid = await node.add(deep, narrowest);
      expect(Buffer.compare(await node.cat(deepCid, { maxBytes: deep.length }), deep)).to.equal(0);
      await node.unpin(deepCid);
      await node.pin(deepCid);
    });
  });

  describe("while it walks", function () {
    /** A wide two-level DAG of distinct nodes: 512 interior nodes of 8 leaves each (4 MiB). */
    function wideDag(): { root: CID; blocks: Block[]; size: number } {
      const blocks: Block[] = [];
      const middles = Array.from({ length: 512 }, () => {
        const leaves = Array.from({ length: 8 }, () => rawBlock(randomBytes(KiB)));
        const middle = fileNode(leaves.map((leaf) => ({ cid: leaf.cid, size: KiB })));
        blocks.push(...leaves, middle);
        return middle;
      });
      const root = fileNode(middles.map((middle) => ({ cid: middle.cid, size: 8 * KiB })));
      blocks.push(root);
      return { root: root.cid, blocks, size: 512 * 8 * KiB };
    }

    it("never has more than `concurrency` fetches in flight, and reads the file exactly", async function () {
      const dag = wideDag();
      const { getBlock, stats } = memoryBlocks(dag.blocks);
      const signal = AbortSignal.timeout(30_000);
      const bytes = await readFile(dag.root, getBlock, { signal, concurrency: 4 });
      expect(bytes.length).to.equal(dag.size);
      expect(stats()).to.deep.equal({ maxInFlight: 4, fetched: dag.blocks.length });
    });

    it("gives timers a turn, so an abort fired by a timer stops a walk whose blocks all arrive at once", async function () {
      const dag = wideDag();
      const { getBlock, stats } = memoryBlocks(dag.blocks);
      const controller = new AbortController();
      const reason = new Error("the deadline fired");
      setTimeout(() => controller.abort(reason), 0);
      let caught: unknown;
      await readFile(dag.root, getBlock, { signal: controller.signal, concurrency: 64 }).catch(
        (error: unknown) => {
          caught = error;
        },
      );
      expect(caught).to.equal(reason);
      expect(stats().fetched).to.be.below(dag.blocks.length);
    });
  });
});
