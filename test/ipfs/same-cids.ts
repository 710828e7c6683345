import { randomBytes } from "node:crypto";

import { computeCid, DEFAULT_UNIXFS, type UnixFsSettings } from "@disp/protocol";
import { createEmbeddedNode, createKuboNode, type IpfsNode } from "@disp/ipfs";
import { startKuboRpcTestServer, type KuboRpcTestServer } from "@disp/kubo-rpc-test-server";
import { expect } from "chai";

import { removeDir, tempDir } from "./support/files.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES = [KiB, 256 * KiB + 1, 5 * MiB, 20 * MiB];
const CHUNK_SIZES = [64 * KiB, 256 * KiB, MiB];

describe("the same CIDs everywhere: embedded node, Kubo node and computeCid()", function () {
  this.timeout(180_000);
  const source = randomBytes(20 * MiB);
  let directory: string;
  let server: KuboRpcTestServer;
  let embedded: IpfsNode;
  let kubo: IpfsNode;

  before(async function () {
    directory = await tempDir("cids");
    [server, embedded] = await Promise.all([
      startKuboRpcTestServer({ directory: `${directory}/kubo` }),
      createEmbeddedNode({ directory: `${directory}/embedded` }),
    ]);
    kubo = await createKuboNode({ url: server.url });
  });

  after(async function () {
    await Promise.all([embedded?.stop(), kubo?.stop(), server?.stop()]);
    await removeDir(directory);
  });

  for (const chunkSize of CHUNK_SIZES) {
    for (const size of SIZES) {
      it(`${size} bytes in ${chunkSize / KiB} KiB chunks`, async function () {
        const bytes = source.subarray(0, size);
        const settings: UnixFsSettings = { ...DEFAULT_UNIXFS, chunkSize };
        const offline = (await computeCid(bytes, settings)).toString();
        const [fromEmbedded, fromKubo] = await Promise.all([
          embedded.add(bytes, settings, { pin: false }),
          kubo.add(bytes, settings, { pin: false }),
        ]);
        expect(fromEmbedded.toString()).to.equal(offline);
        expect(fromKubo.toString()).to.equal(offline);
      });
    }
  }
});
