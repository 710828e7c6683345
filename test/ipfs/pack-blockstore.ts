import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { computeCid, DEFAULT_UNIXFS } from "@disp/protocol";
import {
  CID,
  createEmbeddedNode,
  DEFAULT_PACKS,
  isIpfsError,
  LOCK_FILE,
  PackBlockstore,
  packFileName,
} from "@disp/ipfs";
import { FsBlockstore } from "blockstore-fs";
import { expect } from "chai";

import { removeDir, tempDir } from "./support/files.js";

const DAG_PB = 0x70;

/** Random bytes and their CID: one raw block (CIDv1, raw codec, SHA-256), as a UnixFS leaf. */
async function block(size = 1024): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = randomBytes(size);
  const cid = await computeCid(bytes, DEFAULT_UNIXFS);
  expect(cid.code).to.equal(0x55);
  return { cid, bytes };
}

async function read(store: PackBlockstore, cid: CID): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of store.get(cid)) parts.push(part);
  return Buffer.concat(parts);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("PackBlockstore", function () {
  let directory: string;
  let store: PackBlockstore;
  const PACK_FILE = packFileName(0);
  const packFile = (): string => join(directory, PACK_FILE);

  beforeEach(async function () {
    directory = await tempDir("pack");
    store = new PackBlockstore(directory, { packs: 1 }); // one pack file: the format tests look inside it
    await store.open();
  });

  afterEach(async function () {
    await store.close();
    await removeDir(directory);
  });

  it("returns what was put, and knows the same bytes under a raw or a dag-pb CID", async function () {
    const { cid, bytes } = await block();
    expect(store.has(cid)).to.equal(false);
    await store.put(cid, bytes);
    expect(Buffer.compare(await read(store, cid), bytes)).to.equal(0);
    expect(store.has(CID.createV1(DAG_PB, cid.multihash))).to.equal(true);
  });

  it("appends every block to one file, each block once however often it is put", async function () {
    const blocks = await Promise.all(Array.from({ length: 40 }, () => block(4096)));
    await Promise.all([...blocks, ...blocks].map(({ cid, bytes }) => store.put(cid, bytes)));
    expect((await readdir(directory)).sort()).to.deep.equal([LOCK_FILE, PACK_FILE]);
    const { size } = await stat(packFile());
    expect(size).to.be.within(40 * 4096, 40 * (4096 + 64));
    for (const { cid, bytes } of blocks) expect(Buffer.compare(await read(store, cid), bytes)).to.equal(0);
  });

  it("spreads blocks over DEFAULT_PACKS files by default, and keeps a store's number of packs", async function () {
    await store.close();
    await removeDir(directory);
    store = new PackBlockstore(directory);
    await store.open();
    const blocks = await Promise.all(Array.from({ length: 64 }, () => block(4096)));
    await Promise.all(blocks.map(({ cid, bytes }) => store.put(cid, bytes)));
    const packs = Array.from({ length: DEFAULT_PACKS }, (_, i) => packFileName(i));
    expect((await readdir(directory)).sort()).to.deep.equal([LOCK_FILE, ...packs].sort());
    for (const pack of packs) expect((await stat(join(directory, pack))).size).to.be.greaterThan(4096);
    await store.close();

    store = new PackBlockstore(directory, { packs: 1 });
    await store.open();
    expect((await readdir(directory)).filter((name) => name.endsWith(".pack"))).to.have.length(DEFAULT_PACKS);
    for (const { cid, bytes } of blocks) expect(Buffer.compare(await read(store, cid), bytes)).to.equal(0);
  });

  it("keeps blocks and deletions across a reopen", async function () {
    const [kept, deleted] = await Promise.all([block(), block()]);
    await store.put(kept.cid, kept.bytes);
    await store.put(deleted.cid, deleted.bytes);
    await store.delete(deleted.cid);
    expect(store.has(deleted.cid)).to.equal(false);
    await store.close();

    store = new PackBlockstore(directory);
    await store.open();
    expect(Buffer.compare(await read(store, kept.cid), kept.bytes)).to.equal(0);
    expect(store.has(deleted.cid)).to.equal(false);
  });

  it("orders a put and a delete of the same block started together", async function () {
    const { cid, bytes } = await block();
    await store.put(cid, bytes);
    await Promise.all([store.delete(cid), store.put(cid, bytes)]);
    expect(store.has(cid)).to.equal(true);
    await Promise.all([store.put(cid, bytes), store.delete(cid)]);
    expect(store.has(cid)).to.equal(false);
  });

  it("reads a block it holds straight into a buffer of its size, and says false otherwise", async function () {
    const [held, missing] = await Promise.all([block(), block()]);
    await store.put(held.cid, held.bytes);
    const target = new Uint8Array(held.bytes.length);
    expect(await store.readInto(held.cid, target)).to.equal(true);
    expect(Buffer.compare(target, held.bytes)).to.equal(0);
    expect(await store.readInto(held.cid, new Uint8Array(held.bytes.length - 1))).to.equal(false);
    expect(await store.readInto(missing.cid, new Uint8Array(missing.bytes.length))).to.equal(false);
  });

  it("refuses a block it does not hold with a NotFoundError, as Helia expects", async function () {
    const { cid } = await block();
    const error = await rejection(read(store, cid));
    expect((error as Error).name).to.equal("NotFoundError");
  });

  it("lists every block it holds with getAll, and yields putMany's CIDs in order", async function () {
    const blocks = await Promise.all(Array.from({ length: 70 }, () => block(100)));
    const put: string[] = [];
    for await (const cid of store.putMany(blocks)) put.push(cid.toString());
    expect(put).to.deep.equal(blocks.map(({ cid }) => cid.toString()));
    const [deleted, ...kept] = blocks;
    await store.delete((deleted as { cid: CID }).cid);
    const listed = new Map<string, Buffer>();
    for await (const pair of store.getAll()) {
      const parts: Uint8Array[] = [];
      for await (const part of pair.bytes) parts.push(part);
      listed.set(pair.cid.toString(), Buffer.concat(parts));
    }
    expect([...listed.keys()].sort()).to.deep.equal(kept.map(({ cid }) => cid.toString()).sort());
    for (const { cid, bytes } of kept)
      expect(Buffer.compare(listed.get(cid.toString()) ?? Buffer.alloc(0), bytes)).to.equal(0);
  });

  it("cuts off a record torn by a crash mid-write when it reopens, and writes on after it", async function () {
    const [first, second, third] = await Promise.all([block(), block(), block()]);
    await store.put(first.cid, first.bytes);
    await store.put(second.cid, second.bytes);
    await store.close();
    const whole = await readFile(packFile());
    await writeFile(packFile(), whole.subarray(0, whole.length - 100)); // the second record, torn

    store = new PackBlockstore(directory);
    await store.open();
    expect(Buffer.compare(await read(store, first.cid), first.bytes)).to.equal(0);
    expect(store.has(second.cid)).to.equal(false);
    expect((await stat(packFile())).size).to.equal(whole.length / 2);
    await store.put(third.cid, third.bytes);
    expect(Buffer.compare(await read(store, third.cid), third.bytes)).to.equal(0);
  });

  it("cuts off a header cut short at the end of the file", async function () {
    const { cid, bytes } = await block();
    await store.put(cid, bytes);
    await store.close();
    const { size } = await stat(packFile());
    await appendFile(packFile(), Buffer.from([0x44, 0x50, 0x4b]));

    store = new PackBlockstore(directory);
    await store.open();
    expect((await stat(packFile())).size).to.equal(size);
    expect(Buffer.compare(await read(store, cid), bytes)).to.equal(0);
  });

  it("cuts off zeros at the end of the file (grown by the file system before a crash)", async function () {
    const { cid, bytes } = await block();
    await store.put(cid, bytes);
    await store.close();
    const { size } = await stat(packFile());
    await appendFile(packFile(), Buffer.alloc(5000));

    store = new PackBlockstore(directory);
    await store.open();
    expect((await stat(packFile())).size).to.equal(size);
    expect(Buffer.compare(await read(store, cid), bytes)).to.equal(0);
  });

  it("refuses to open over a damaged last record that is not zeros", async function () {
    const [first, second] = await Promise.all([block(), block()]);
    await store.put(first.cid, first.bytes);
    await store.put(second.cid, second.bytes);
    await store.close();
    const pack = await readFile(packFile());
    const second0 = pack.length / 2;
    pack[second0] = (pack[second0] ?? 0) ^ 0x55; // the last record's magic
    await writeFile(packFile(), pack);

    store = new PackBlockstore(directory);
    const error = await rejection(store.open());
    expect(isIpfsError(error, "IPFS_INTEGRITY"), String(error)).to.equal(true);
    expect((error as Error).message).to.include(`damaged record header at byte ${second0}`);
    expect((await stat(packFile())).size).to.equal(pack.length);
  });

  it("refuses to open over a damaged record header with IPFS_INTEGRITY, losing nothing", async function () {
    const [first, second] = await Promise.all([block(), block()]);
    await store.put(first.cid, first.bytes);
    await store.put(second.cid, second.bytes);
    await store.close();
    const pack = await readFile(packFile());
    pack[7] = (pack[7] ?? 0) ^ 0x01; // the first record's data length
    await writeFile(packFile(), pack);

    store = new PackBlockstore(directory);
    const error = await rejection(store.open());
    expect(isIpfsError(error, "IPFS_INTEGRITY"), String(error)).to.equal(true);
    expect((error as Error).message).to.include("damaged record header at byte 0");
    expect((await stat(packFile())).size).to.equal(pack.length);
  });

  it("rejects every put of a failed write and indexes none of them (a full disk)", async function () {
    await store.close();
    await rm(packFile());
    await symlink("/dev/full", packFile()); // every write fails with ENOSPC
    store = new PackBlockstore(directory);
    await store.open();
    const blocks = await Promise.all(Array.from({ length: 3 }, () => block()));
    const errors = await Promise.all(blocks.map(({ cid, bytes }) => rejection(store.put(cid, bytes))));
    for (const error of errors) expect((error as NodeJS.ErrnoException).code).to.equal("ENOSPC");
    for (const { cid } of blocks) expect(store.has(cid)).to.equal(false);
  });

  it("finishes the writes it accepted when closed, and refuses every call after with IPFS_STOPPED", async function () {
    const [accepted, late] = await Promise.all([block(), block()]);
    const put = store.put(accepted.cid, accepted.bytes);
    const closing = store.close();
    const stopped = (error: unknown): boolean => isIpfsError(error, "IPFS_STOPPED");
    expect(stopped(await rejection(store.put(late.cid, late.bytes)))).to.equal(true);
    await put;
    await closing;
    expect(stopped(await rejection(read(store, accepted.cid)))).to.equal(true);
    expect(stopped(await rejection(Promise.resolve().then(() => store.has(accepted.cid))))).to.equal(true);

    store = new PackBlockstore(directory);
    await store.open();
    expect(Buffer.compare(await read(store, accepted.cid), accepted.bytes)).to.equal(0);
    expect(store.has(late.cid)).to.equal(false);
  });

  describe("its directory lock", function () {
    it("refuses a second store on the same directory with IPFS_IN_USE until the first closes", async function () {
      const second = new PackBlockstore(directory);
      const error = await rejection(second.open());
      expect(isIpfsError(error, "IPFS_IN_USE"), String(error)).to.equal(true);
      expect((error as Error).message).to.include(`process ${process.pid}`);
      await store.close();
      await second.open();
      await second.close();
      await store.open(); // for afterEach
    });

    it("takes over the lock of a process that is gone", async function () {
      await store.close();
      const child = spawn(process.execPath, ["-e", ""]);
      const pid = child.pid;
      await new Promise((resolve) => child.once("exit", resolve));
      await writeFile(join(directory, LOCK_FILE), `${pid}\n`);
      store = new PackBlockstore(directory);
      await store.open();
      expect(await readFile(join(directory, LOCK_FILE), "utf8")).to.equal(`${process.pid}\n`);
    });

    it("leaves a lock it cannot read alone, and says which file to delete", async function () {
      await store.close();
      await writeFile(join(directory, LOCK_FILE), "");
      store = new PackBlockstore(directory);
      const error = await rejection(store.open());
      expect(isIpfsError(error, "IPFS_IN_USE"), String(error)).to.equal(true);
      expect((error as Error).message).to.include(join(directory, LOCK_FILE));
      await rm(join(directory, LOCK_FILE));
      await store.open();
    });
  });

  it("honours an aborted signal", async function () {
    const { cid, bytes } = await block();
    const signal = AbortSignal.abort();
    expect(((await rejection(store.put(cid, bytes, { signal }))) as Error).name).to.equal("AbortError");
    expect(store.has(cid)).to.equal(false);
  });

  it("moves the blocks of a file-per-block store (blockstore-fs) into the pack when it opens", async function () {
    await store.close();
    const legacy = new FsBlockstore(directory);
    await legacy.open();
    const blocks = await Promise.all(Array.from({ length: 5 }, () => block(2048)));
    for (const { cid, bytes } of blocks) await legacy.put(cid, bytes);
    await legacy.close();

    const [shard] = (await readdir(directory)).filter((name) => name !== PACK_FILE);
    const stray = join(directory, shard ?? "", "not-a-multihash.data");
    await writeFile(stray, "kept");

    store = new PackBlockstore(directory);
    await store.open();
    for (const { cid, bytes } of blocks) expect(Buffer.compare(await read(store, cid), bytes)).to.equal(0);
    expect(await readdir(directory, { recursive: true })).to.have.members([
      LOCK_FILE,
      PACK_FILE,
      shard,
      join(shard ?? "", "not-a-multihash.data"),
    ]);
    expect(await readFile(stray, "utf8")).to.equal("kept");
  });

  it("serves an embedded node restarted on a store of the old layout", async function () {
    await store.close();
    const nodeDirectory = `${directory}-node`;
    const { cid, bytes } = await block(200 * 1024); // a one-block file: its root is the raw leaf
    const legacy = new FsBlockstore(join(nodeDirectory, "blocks"));
    await legacy.open();
    await legacy.put(cid, bytes);
    await legacy.close();

    const node = await createEmbeddedNode({ directory: nodeDirectory });
    try {
      expect(await node.has(cid)).to.equal(true);
      expect(Buffer.compare(await node.cat(cid, { timeoutMs: 2_000 }), bytes)).to.equal(0);
    } finally {
      await node.stop();
      await removeDir(nodeDirectory);
    }
    store = new PackBlockstore(directory);
    await store.open();
  });
});
