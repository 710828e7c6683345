import { randomBytes } from "node:crypto";

import { DEFAULT_UNIXFS } from "@disp/protocol";
import { createKuboNode, KUBO_MAX_CHILDREN_PER_NODE } from "@disp/ipfs";
import { startKuboRpcTestServer, type KuboRpcTestServer } from "@disp/kubo-rpc-test-server";
import { expect } from "chai";

import { behavesLikeAnIpfsNode, closedPort, expectIpfsError } from "./support/behaviour.js";
import { removeDir, tempDir } from "./support/files.js";

// The Kubo node against a real Kubo-RPC server (js-ipfs 0.66.1, see packages/kubo-rpc-test-server).
describe("Kubo node over a Kubo-RPC server on 127.0.0.1", function () {
  this.timeout(120_000);
  let directory: string;
  let server: KuboRpcTestServer;

  before(async function () {
    directory = await tempDir("kubo");
    server = await startKuboRpcTestServer({ directory });
  });

  after(async function () {
    await server?.stop();
    await removeDir(directory);
  });

  behavesLikeAnIpfsNode({
    name: "Kubo node",
    async open() {
      const node = await createKuboNode({ url: server.url, timeoutMs: 10_000, localTimeoutMs: 500 });
      return { node, storeDirectory: server.repository, close: () => node.stop() };
    },
  });

  describe("Kubo-specific", function () {
    it("refuses links per node other than Kubo's fixed 174 with IPFS_UNSUPPORTED", async function () {
      const node = await createKuboNode({ url: server.url });
      const settings = { ...DEFAULT_UNIXFS, maxChildrenPerNode: KUBO_MAX_CHILDREN_PER_NODE + 1 };
      await expectIpfsError(node.add(randomBytes(1024), settings), "IPFS_UNSUPPORTED");
    });

    it("fails with IPFS_UNREACHABLE when no RPC API answers at the URL", async function () {
      const url = `http://127.0.0.1:${await closedPort()}`;
      await expectIpfsError(createKuboNode({ url }), "IPFS_UNREACHABLE");
    });

    it("fails with IPFS_INVALID_INPUT given neither a URL nor a client", async function () {
      await expectIpfsError(createKuboNode({}), "IPFS_INVALID_INPUT");
    });

    it("learns the daemon's peer id", async function () {
      const node = await createKuboNode({ url: server.url });
      const addresses = await node.addresses();
      expect(addresses.every((address) => address.endsWith(`/p2p/${node.peerId}`))).to.equal(true);
    });
  });
});
