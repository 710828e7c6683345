import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { DEFAULT_UNIXFS } from "@disp/protocol";
import { embeddedBlockStore, tamperWithStoredBlock, tampered } from "@disp/devkit";
import { createEmbeddedNode, type IpfsNode } from "@disp/ipfs";
import { expect } from "chai";

import { expectIpfsError } from "../ipfs/support/behaviour.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";

describe("tamperWithStoredBlock", function () {
  this.timeout(60_000);
  let directory: string;
  let node: IpfsNode;

  beforeEach(async function () {
    directory = await tempDir("tamper");
    node = await createEmbeddedNode({ directory });
  });

  afterEach(async function () {
    await node.stop();
    await removeDir(directory);
  });

  it("changes the stored copy until restored, then the node serves the block again", async function () {
    const bytes = randomBytes(2 * DEFAULT_UNIXFS.chunkSize);
    const cid = await node.add(bytes);
    const tampering = await tamperWithStoredBlock(
      embeddedBlockStore(directory),
      bytes.subarray(0, DEFAULT_UNIXFS.chunkSize),
    );
    expect(tampering.copies).to.equal(1);
    await expectIpfsError(node.cat(cid), "IPFS_INTEGRITY");
    await tampering.restore();
    await tampering.restore(); // a second restore must not flip the byte again
    expect(Buffer.compare(await node.cat(cid), bytes)).to.equal(0);
  });

  it("reads and writes nothing outside the block store", async function () {
    const bytes = randomBytes(1024);
    await node.add(bytes);
    // A file beside the store, as the agent's state file is, holding the same bytes.
    const beside = join(directory, "agent.json.1234.tmp");
    await writeFile(beside, bytes);
    const tampering = await tamperWithStoredBlock(embeddedBlockStore(directory), bytes);
    try {
      expect(tampering.copies).to.equal(1);
      expect(Buffer.compare(await readFile(beside), bytes)).to.equal(0);
    } finally {
      await tampering.restore();
    }
  });

  it("finds no copy of a block the store does not hold", async function () {
    const tampering = await tamperWithStoredBlock(embeddedBlockStore(directory), tampered(randomBytes(64)));
    expect(tampering.copies).to.equal(0);
    await tampering.restore();
  });
});
