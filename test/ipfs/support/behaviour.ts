import { randomBytes } from "node:crypto";
import { createServer } from "node:net";

import { computeCid, DEFAULT_UNIXFS, type UnixFsSettings } from "@disp/protocol";
import { expect } from "chai";
import {
  CID,
  isIpfsError,
  isLoopback,
  verifyPeerSignature,
  type IpfsErrorCode,
  type IpfsNode,
} from "@disp/ipfs";

import { corruptStoredBlock } from "./files.js";

/** One node of the implementation under test, and the directory its blocks live in on disk. */
export interface Subject {
  readonly node: IpfsNode;
  readonly storeDirectory: string;
  close(): Promise<void>;
}

export interface Implementation {
  readonly name: string;
  /** A fresh, started node with nothing connected to it. */
  open(): Promise<Subject>;
}

const KiB = 1024;
const CHUNK = DEFAULT_UNIXFS.chunkSize;

/** Awaits `promise`, expecting it to fail with an IpfsError carrying `code`; returns the error. */
export async function expectIpfsError(promise: Promise<unknown>, code: IpfsErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (!isIpfsError(error)) throw error;
    expect(error.code, error.message).to.equal(code);
    return error;
  }
  expect.fail(`expected an IpfsError ${code}, but the call succeeded`);
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

function includesCid(cids: readonly CID[], cid: CID): boolean {
  return cids.some((c) => c.equals(cid));
}

/** The behaviour every IpfsNode implementation must show; each implementation's test file runs it. */
export function behavesLikeAnIpfsNode(implementation: Implementation): void {
  describe(`${implementation.name}: the IpfsNode behaviour`, function () {
    this.timeout(60_000);
    let subject: Subject;
    let node: IpfsNode;

    before(async function () {
      subject = await implementation.open();
      node = subject.node;
    });

    after(async function () {
      await subject?.close();
    });

    describe("adding and reading", function () {
      it("reads back exactly the bytes it added, under computeCid's CID", async function () {
        const bytes = randomBytes(2 * CHUNK + 5 * KiB);
        const cid = await node.add(bytes);
        expect(cid.toString()).to.equal((await computeCid(bytes)).toString());
        expect(Buffer.compare(await node.cat(cid), bytes)).to.equal(0);
      });

      it("stores a file of one chunk as a single raw block", async function () {
        const bytes = randomBytes(KiB);
        const cid = await node.add(bytes);
        expect(cid.code).to.equal(0x55);
        expect(cid.toString()).to.equal((await computeCid(bytes)).toString());
      });

      it("uses the chunk size it is given", async function () {
        const bytes = randomBytes(200 * KiB);
        const settings: UnixFsSettings = { ...DEFAULT_UNIXFS, chunkSize: 64 * KiB };
        const cid = await node.add(bytes, settings);
        expect(cid.toString()).to.equal((await computeCid(bytes, settings)).toString());
        expect(cid.toString()).to.not.equal((await computeCid(bytes)).toString());
        expect(Buffer.compare(await node.cat(cid), bytes)).to.equal(0);
      });

      it("fails with IPFS_ABORTED to add when the caller has aborted", async function () {
        const controller = new AbortController();
        controller.abort();
        await expectIpfsError(
          node.add(randomBytes(KiB), DEFAULT_UNIXFS, { signal: controller.signal }),
          "IPFS_ABORTED",
        );
      });

      it("refuses to read content larger than maxBytes", async function () {
        const bytes = randomBytes(10 * KiB);
        const cid = await node.add(bytes);
        await expectIpfsError(node.cat(cid, { maxBytes: bytes.length - 1 }), "IPFS_TOO_LARGE");
        expect((await node.cat(cid, { maxBytes: bytes.length })).length).to.equal(bytes.length);
      });

      it("refuses a CID that is not a UnixFS file without looking for it", async function () {
        const dagCbor = CID.create(1, 0x71, (await computeCid(randomBytes(32))).multihash);
        await expectIpfsError(node.cat(dagCbor), "IPFS_UNSUPPORTED");
      });
    });

    describe("pinning", function () {
      it("pins what it adds by default and holds every block", async function () {
        const bytes = randomBytes(CHUNK + 1);
        const cid = await node.add(bytes);
        expect(includesCid(await node.pins(), cid)).to.equal(true);
        expect(await node.isPinned(cid)).to.equal(true);
        expect(await node.has(cid)).to.equal(true);
      });

      it("adds without pinning when asked, still holding the blocks", async function () {
        const cid = await node.add(randomBytes(3 * KiB), DEFAULT_UNIXFS, { pin: false });
        expect(includesCid(await node.pins(), cid)).to.equal(false);
        expect(await node.isPinned(cid)).to.equal(false);
        expect(await node.has(cid)).to.equal(true);
      });

      it("pins local content once, however often asked", async function () {
        const cid = await node.add(randomBytes(CHUNK * 2), DEFAULT_UNIXFS, { pin: false });
        await node.pin(cid);
        await node.pin(cid);
        expect((await node.pins()).filter((c) => c.equals(cid))).to.have.length(1);
      });

      it("unpins, and fails with IPFS_NOT_FOUND to unpin what is not pinned", async function () {
        const cid = await node.add(randomBytes(5 * KiB));
        await node.unpin(cid);
        expect(includesCid(await node.pins(), cid)).to.equal(false);
        expect(await node.isPinned(cid)).to.equal(false);
        await expectIpfsError(node.unpin(cid), "IPFS_NOT_FOUND");
      });
    });

    describe("when nobody holds the content", function () {
      it("says it does not have it, nor a pin on it", async function () {
        const cid = await computeCid(randomBytes(3 * CHUNK));
        expect(await node.has(cid)).to.equal(false);
        expect(await node.isPinned(cid)).to.equal(false);
      });

      it("fails a read with IPFS_TIMEOUT within the given time", async function () {
        const missing = await computeCid(randomBytes(KiB));
        const started = performance.now();
        await expectIpfsError(node.cat(missing, { timeoutMs: 500 }), "IPFS_TIMEOUT");
        // A bound on hanging, not a performance assertion: the read must end near its deadline.
        expect(performance.now() - started).to.be.below(5_000);
      });

      it("fails a pin with IPFS_TIMEOUT", async function () {
        const missing = await computeCid(randomBytes(2 * CHUNK));
        await expectIpfsError(node.pin(missing, { timeoutMs: 500 }), "IPFS_TIMEOUT");
        expect(includesCid(await node.pins(), missing)).to.equal(false);
      });

      it("fails with IPFS_ABORTED when the caller aborts", async function () {
        const missing = await computeCid(randomBytes(KiB));
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        await expectIpfsError(
          node.cat(missing, { signal: controller.signal, timeoutMs: 10_000 }),
          "IPFS_ABORTED",
        );
      });
    });

    describe("when a stored block is corrupted on disk", function () {
      it("fails reads and pins with IPFS_INTEGRITY, never returning wrong bytes", async function () {
        const bytes = randomBytes(3 * CHUNK);
        const cid = await node.add(bytes, DEFAULT_UNIXFS, { pin: false });
        const secondChunk = bytes.subarray(CHUNK, 2 * CHUNK);
        expect(await corruptStoredBlock(subject.storeDirectory, secondChunk)).to.equal(1);
        await expectIpfsError(node.cat(cid), "IPFS_INTEGRITY");
        await expectIpfsError(node.pin(cid), "IPFS_INTEGRITY");
        expect(includesCid(await node.pins(), cid)).to.equal(false);
      });
    });

    describe("peers", function () {
      it("has a peer id and dialable loopback addresses naming it", async function () {
        expect(node.peerId).to.match(/^(12D3KooW|Qm)[1-9A-HJ-NP-Za-km-z]+$/);
        const addresses = await node.addresses();
        expect(addresses.length).to.be.greaterThan(0);
        for (const address of addresses) {
          expect(address.endsWith(`/p2p/${node.peerId}`), address).to.equal(true);
          expect(isLoopback(address), address).to.equal(true);
        }
      });

      it("fails with IPFS_INVALID_INPUT to connect to a malformed multiaddr", async function () {
        await expectIpfsError(node.connect("/ip4/not-an-address/tcp/1"), "IPFS_INVALID_INPUT");
      });

      it("fails with IPFS_UNREACHABLE to connect to a port nobody listens on", async function () {
        const port = await closedPort();
        const other = "12D3KooWHSFY92mj6h9x4TpGQZyBmuVq3vveixuaCuqDdBhVH1fU";
        await expectIpfsError(node.connect(`/ip4/127.0.0.1/tcp/${port}/p2p/${other}`), "IPFS_UNREACHABLE");
        expect(await node.peers()).to.not.include(other);
      });
    });

    describe("its peer key", function () {
      it("signs what verifyPeerSignature accepts for its peer id, and nothing else", async function () {
        const data = new TextEncoder().encode("disp behaviour: prove the peer key");
        const signature = await node.signWithPeerKey(data);
        expect(await verifyPeerSignature(node.peerId, data, signature)).to.equal(true);
        const other = new TextEncoder().encode("disp behaviour: another message");
        expect(await verifyPeerSignature(node.peerId, other, signature)).to.equal(false);
        const stranger = "12D3KooWHSFY92mj6h9x4TpGQZyBmuVq3vveixuaCuqDdBhVH1fU";
        expect(await verifyPeerSignature(stranger, data, signature)).to.equal(false);
      });
    });

    describe("once stopped", function () {
      it("fails every call with IPFS_STOPPED, and stopping again is harmless", async function () {
        const stopped = await implementation.open();
        const cid = await stopped.node.add(randomBytes(KiB));
        await stopped.node.stop();
        await stopped.node.stop();
        await expectIpfsError(stopped.node.cat(cid), "IPFS_STOPPED");
        await expectIpfsError(stopped.node.add(randomBytes(KiB)), "IPFS_STOPPED");
        await expectIpfsError(stopped.node.pins(), "IPFS_STOPPED");
        await stopped.close();
      });
    });
  });
}
