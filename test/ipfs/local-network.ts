import { randomBytes } from "node:crypto";
import { join } from "node:path";

import { DEFAULT_UNIXFS } from "@disp/protocol";
import { createLocalNetwork, type LocalNetwork } from "@disp/devkit";
import { createEmbeddedNode, type IpfsNode } from "@disp/ipfs";
import { expect } from "chai";

import { expectIpfsError } from "./support/behaviour.js";
import { corruptStoredBlock, removeDir, tempDir } from "./support/files.js";

const MiB = 1024 * 1024;

function nodeAt(network: LocalNetwork, i: number): IpfsNode {
  const node = network.nodes[i];
  if (node === undefined) throw new Error(`no node ${i}`);
  return node;
}

describe("a local network of embedded nodes", function () {
  this.timeout(60_000);
  let directory: string;
  let network: LocalNetwork | undefined;

  beforeEach(async function () {
    directory = await tempDir("network");
  });

  afterEach(async function () {
    await network?.stop();
    network = undefined;
    await removeDir(directory);
  });

  describe("of two nodes", function () {
    it("fetches content added on one from the other over bitswap, and can pin it there", async function () {
      network = await createLocalNetwork({ directory, size: 2 });
      const [a, b] = [nodeAt(network, 0), nodeAt(network, 1)];
      const bytes = randomBytes(3 * MiB + 11);
      const cid = await a.add(bytes);
      expect(await b.has(cid)).to.equal(false);

      expect(Buffer.compare(await b.cat(cid, { timeoutMs: 20_000 }), bytes)).to.equal(0);
      await b.pin(cid);
      expect((await b.pins()).map(String)).to.deep.equal([cid.toString()]);
      expect(await b.has(cid)).to.equal(true);
    });

    it("fails reads of content only a stopped node held with IPFS_TIMEOUT within the given time", async function () {
      network = await createLocalNetwork({ directory, size: 2 });
      const [a, b] = [nodeAt(network, 0), nodeAt(network, 1)];
      const cid = await a.add(randomBytes(MiB));
      await a.stop();

      const started = performance.now();
      await expectIpfsError(b.cat(cid, { timeoutMs: 1_500 }), "IPFS_TIMEOUT");
      // A bound on hanging, not a performance assertion.
      expect(performance.now() - started).to.be.below(1_500 + 3_000);
    });

    it("keeps each node's peer id when restarted in the same directory", async function () {
      network = await createLocalNetwork({ directory, size: 2 });
      const peerIds = network.nodes.map((node) => node.peerId);
      expect(new Set(peerIds).size).to.equal(2);
      await network.stop();

      network = await createLocalNetwork({ directory, size: 2 });
      expect(network.nodes.map((node) => node.peerId)).to.deep.equal(peerIds);
    });
  });

  describe("of four nodes", function () {
    it("connects every pair", async function () {
      network = await createLocalNetwork({ directory, size: 4 });
      const all = network.nodes.map((node) => node.peerId);
      for (const node of network.nodes) {
        expect((await node.peers()).sort()).to.deep.equal(all.filter((id) => id !== node.peerId).sort());
      }
    });

    it("serves fragments pinned by community nodes to a new reader after the uploader left", async function () {
      network = await createLocalNetwork({ directory, size: 4 });
      const uploader = nodeAt(network, 0);
      const community = [1, 2, 3].map((i) => nodeAt(network as LocalNetwork, i));
      const fragments = community.map(() => randomBytes(MiB / 2 + 3));
      const cids = await Promise.all(fragments.map((fragment) => uploader.add(fragment)));

      // Each community node fetches and pins its own fragment over bitswap.
      await Promise.all(cids.map((cid, i) => community[i]?.pin(cid, { timeoutMs: 20_000 })));
      await uploader.stop();

      const reader = await createEmbeddedNode({ directory: join(directory, "reader") });
      try {
        for (const node of community) await reader.connect((await node.addresses())[0] ?? "");
        const read = await Promise.all(cids.map((cid) => reader.cat(cid, { timeoutMs: 20_000 })));
        read.forEach((bytes, i) =>
          expect(Buffer.compare(bytes, fragments[i] ?? new Uint8Array())).to.equal(0),
        );
      } finally {
        await reader.stop();
      }
    });
  });

  describe("with a node whose block store was tampered with", function () {
    it("never hands its reader wrong bytes, and reads them from an honest node instead", async function () {
      network = await createLocalNetwork({ directory, size: 3 });
      const [tamperer, honest, reader] = [nodeAt(network, 0), nodeAt(network, 1), nodeAt(network, 2)];
      const bytes = randomBytes(MiB);
      const cid = await tamperer.add(bytes);
      const firstChunk = bytes.subarray(0, DEFAULT_UNIXFS.chunkSize);
      expect(await corruptStoredBlock(join(directory, "node-0", "blocks"), firstChunk)).to.equal(1);

      // Bitswap checks every block it receives: the tampered one is refused, so with no one else
      // holding it the read runs out of time rather than returning it.
      await expectIpfsError(reader.cat(cid, { timeoutMs: 1_500 }), "IPFS_TIMEOUT");

      await honest.add(bytes);
      expect(Buffer.compare(await reader.cat(cid, { timeoutMs: 20_000 }), bytes)).to.equal(0);
    });
  });

  it("refuses a size that is not a whole number of nodes", async function () {
    await expectIpfsError(createLocalNetwork({ directory, size: 0 }), "IPFS_INVALID_INPUT");
  });
});
