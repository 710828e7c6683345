import { randomBytes } from "node:crypto";

import { createEmbeddedNode, type CID, type IpfsNode } from "@disp/ipfs";
import { expect } from "chai";

import { heliaOf } from "../../packages/ipfs/src/embedded.js";
import { removeDir, tempDir } from "./support/files.js";

type Helia = NonNullable<ReturnType<typeof heliaOf>>;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Every CID of the file DAG under `root`, as Helia walks it. */
async function blocksOf(helia: Helia, root: CID): Promise<CID[]> {
  const cids: CID[] = [];
  for await (const cid of helia.pins.add(root)) cids.push(cid);
  for await (const cid of helia.pins.rm(root)) void cid;
  return cids;
}

describe("Helia's gc() on an embedded node", function () {
  this.timeout(60_000);
  let directory: string;
  let node: IpfsNode;
  let helia: Helia;

  beforeEach(async function () {
    directory = await tempDir("embedded-gc");
    node = await createEmbeddedNode({ directory, timeoutMs: 10_000 });
    const found = heliaOf(node);
    if (found === undefined) throw new Error("an embedded node has a Helia instance");
    helia = found;
  });

  afterEach(async function () {
    await node.stop();
    await removeDir(directory);
  });

  it("keeps every block of a pinned file and deletes the blocks no pin reaches", async function () {
    const kept = randomBytes(MiB + 1000); // five leaves and a root
    const pinned = await node.add(kept);
    const loose = await node.add(randomBytes(600 * KiB), undefined, { pin: false });
    const dropped = await node.add(randomBytes(300 * KiB));
    await node.unpin(dropped);
    const keptBlocks = await blocksOf(helia, pinned);
    const looseBlocks = await blocksOf(helia, loose);
    expect(keptBlocks).to.have.length(6);

    await helia.gc();

    for (const cid of keptBlocks) expect(await helia.blockstore.has(cid), `${cid}`).to.equal(true);
    for (const cid of looseBlocks) expect(await helia.blockstore.has(cid), `${cid}`).to.equal(false);
    expect(await node.has(dropped)).to.equal(false);
    expect(Buffer.compare(await node.cat(pinned), kept)).to.equal(0);
    expect(await node.pins()).to.deep.equal([pinned]);
  });

  it("keeps what survived across a restart", async function () {
    const kept = randomBytes(700 * KiB);
    const pinned = await node.add(kept);
    const loose = await node.add(randomBytes(700 * KiB), undefined, { pin: false });
    await helia.gc();
    await node.stop();

    node = await createEmbeddedNode({ directory, timeoutMs: 10_000 });
    expect(await node.has(pinned)).to.equal(true);
    expect(await node.has(loose)).to.equal(false);
    expect(Buffer.compare(await node.cat(pinned), kept)).to.equal(0);
  });

  it("keeps a block an unpinned file shares with a pinned one", async function () {
    const leaf = randomBytes(256 * KiB);
    const pinned = await node.add(Buffer.concat([leaf, randomBytes(256 * KiB)]));
    const loose = await node.add(Buffer.concat([leaf, randomBytes(256 * KiB)]), undefined, { pin: false });
    await helia.gc();

    expect(await node.has(pinned)).to.equal(true);
    expect(await node.has(loose)).to.equal(false);
    const [shared] = await blocksOf(helia, pinned).then((cids) => cids.slice(1));
    if (shared === undefined) throw new Error("the pinned file has leaves");
    expect(await helia.blockstore.has(shared)).to.equal(true);
  });

  it("keeps content pinned through Helia's own pinning API", async function () {
    const bytes = randomBytes(600 * KiB);
    const cid = await node.add(bytes, undefined, { pin: false });
    for await (const block of helia.pins.add(cid)) void block;
    await helia.gc();
    expect(Buffer.compare(await node.cat(cid), bytes)).to.equal(0);
  });

  it("lets an add under way record its pin before the sweep", async function () {
    const bytes = randomBytes(16 * MiB);
    const adding = node.add(bytes);
    const collecting = helia.gc();
    const [cid] = await Promise.all([adding, collecting]);
    expect(await node.has(cid)).to.equal(true);
    expect(Buffer.compare(await node.cat(cid), bytes)).to.equal(0);
  });

  it("fails with IPFS_STOPPED once the node is stopped", async function () {
    await node.stop();
    const failure = await helia.gc().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).to.have.property("code", "IPFS_STOPPED");
    node = await createEmbeddedNode({ directory, timeoutMs: 10_000 });
  });
});
