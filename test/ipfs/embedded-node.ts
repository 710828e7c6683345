import { randomBytes } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { computeCid, DEFAULT_UNIXFS, type UnixFsSettings } from "@disp/protocol";
import { createEmbeddedNode, isIpfsError, isLoopback } from "@disp/ipfs";
import { expect } from "chai";

import { behavesLikeAnIpfsNode } from "./support/behaviour.js";
import { removeDir, tempDir } from "./support/files.js";

behavesLikeAnIpfsNode({
  name: "embedded node",
  async open() {
    const directory = await tempDir("embedded");
    const node = await createEmbeddedNode({ directory, timeoutMs: 10_000 });
    return {
      node,
      storeDirectory: join(directory, "blocks"),
      async close() {
        await node.stop();
        await removeDir(directory);
      },
    };
  },
});

describe("embedded node", function () {
  this.timeout(60_000);
  let directory: string;

  beforeEach(async function () {
    directory = await tempDir("embedded");
  });

  afterEach(async function () {
    await removeDir(directory);
  });

  describe("when a second node opens the same directory", function () {
    it("fails with IPFS_IN_USE, and the first node goes on", async function () {
      const first = await createEmbeddedNode({ directory });
      try {
        const cid = await first.add(randomBytes(1024));
        const error = await createEmbeddedNode({ directory }).then(
          async (second) => {
            await second.stop();
            throw new Error("a second node opened the directory");
          },
          (reason: unknown) => reason,
        );
        expect(isIpfsError(error, "IPFS_IN_USE"), String(error)).to.equal(true);
        expect((await first.cat(cid, { timeoutMs: 2_000 })).length).to.equal(1024);
      } finally {
        await first.stop();
      }
    });
  });

  describe("when restarted in the same directory", function () {
    it("keeps its peer id, its pins and its blocks", async function () {
      const bytes = randomBytes(700 * 1024);
      const first = await createEmbeddedNode({ directory });
      const cid = await first.add(bytes);
      const peerId = first.peerId;
      await first.stop();

      const again = await createEmbeddedNode({ directory });
      try {
        expect(again.peerId).to.equal(peerId);
        expect((await again.pins()).map(String)).to.deep.equal([cid.toString()]);
        expect(await again.has(cid)).to.equal(true);
        expect(Buffer.compare(await again.cat(cid, { timeoutMs: 2_000 }), bytes)).to.equal(0);
      } finally {
        await again.stop();
      }
    });
  });

  describe("with links per node other than Kubo's", function () {
    it("builds the DAG computeCid describes", async function () {
      const node = await createEmbeddedNode({ directory });
      try {
        const bytes = randomBytes(100 * 1024);
        const settings: UnixFsSettings = { ...DEFAULT_UNIXFS, chunkSize: 1024, maxChildrenPerNode: 11 };
        const cid = await node.add(bytes, settings);
        expect(cid.toString()).to.equal((await computeCid(bytes, settings)).toString());
        expect(Buffer.compare(await node.cat(cid), bytes)).to.equal(0);
      } finally {
        await node.stop();
      }
    });
  });

  describe("with the default options", function () {
    // Every TCP connection attempt and UDP socket this process makes while the node starts and idles,
    // seen through Node's diagnostics channels (they see libp2p's dials, fetch and DNS-over-HTTPS
    // alike; mDNS and DNS use UDP).
    let attempts: string[];
    let udpSockets: number;
    const onClient = (message: unknown): void => {
      const { socket } = message as { socket: Socket };
      socket.on("connectionAttempt", (ip: string, port: number) => attempts.push(`${ip}:${port}`));
    };
    const onUdp = (): void => {
      udpSockets++;
    };

    beforeEach(function () {
      attempts = [];
      udpSockets = 0;
      subscribe("net.client.socket", onClient);
      subscribe("udp.socket", onUdp);
    });

    afterEach(function () {
      unsubscribe("net.client.socket", onClient);
      unsubscribe("udp.socket", onUdp);
    });

    it("listens on loopback only and dials nothing by itself", async function () {
      const node = await createEmbeddedNode({ directory });
      try {
        const addresses = await node.addresses();
        expect(addresses).to.have.length(1);
        expect(isLoopback(addresses[0] ?? ""), addresses[0]).to.equal(true);
        // Bootstrap, mDNS and routing would act within the first seconds.
        await sleep(3_000);
        expect(attempts).to.deep.equal([]);
        expect(udpSockets).to.equal(0);
        expect(await node.peers()).to.deep.equal([]);
      } finally {
        await node.stop();
      }
    });

    it("dials exactly the loopback peer it is told to (the watch above does see dials)", async function () {
      const a = await createEmbeddedNode({ directory: join(directory, "a") });
      const b = await createEmbeddedNode({ directory: join(directory, "b") });
      try {
        const address = (await a.addresses())[0] ?? "";
        await b.connect(address);
        const port = address.split("/")[4];
        expect(attempts).to.deep.equal([`127.0.0.1:${port}`]);
        expect(await b.peers()).to.deep.equal([a.peerId]);
        expect(udpSockets).to.equal(0);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });
});
