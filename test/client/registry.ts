import { connectRegistry, DEFAULT_MAX_LOG_RANGE, isClientError } from "@disp/client";
import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { codeOf } from "./support/client-errors.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

async function deployFixture() {
  const [admin, node, stranger] = await ethers.getSigners();
  if (admin === undefined || node === undefined || stranger === undefined) throw new Error("accounts");
  const { registry: deployed } = await ignition.deploy(DispModule);
  const address = await deployed.getAddress();
  return {
    address,
    admin: connectRegistry(address, admin),
    node: connectRegistry(address, node),
    stranger: connectRegistry(address, stranger),
    readOnly: connectRegistry(address, ethers.provider),
    nodeAccount: node.address,
    strangerAccount: stranger.address,
  };
}

describe("Registry", function () {
  describe("connected to a deployed registry", function () {
    it("passes its own check, and knows its signer's account (none when read-only)", async function () {
      const { node, readOnly, nodeAccount } = await loadFixture(deployFixture);
      await node.check();
      expect(await node.account()).to.equal(nodeAccount);
      expect(await readOnly.account()).to.equal(undefined);
    });
  });

  describe("connected to an address without a registry", function () {
    it("fails its check with CLIENT_NO_REGISTRY", async function () {
      const { strangerAccount } = await loadFixture(deployFixture);
      expect(await codeOf(connectRegistry(strangerAccount, ethers.provider).check())).to.equal(
        "CLIENT_NO_REGISTRY",
      );
    });
  });

  describe("node statuses", function () {
    it("names the contract's statuses: none, then free once opted in", async function () {
      const { node, nodeAccount } = await loadFixture(deployFixture);
      expect((await node.nodeInfo(nodeAccount)).status).to.equal("none");
      const sent = await node.optIn("12D3KooWRegistryTest", ["/ip4/127.0.0.1/tcp/4001"], "0x");
      expect(sent.emitted).to.equal(true);
      const info = await node.nodeInfo(nodeAccount);
      expect(info.status).to.equal("free");
      expect(info.multiaddrs).to.deep.equal(["/ip4/127.0.0.1/tcp/4001"]);
    });
  });

  describe("log queries", function () {
    it("page by maxLogRange blocks (default DEFAULT_MAX_LOG_RANGE) and refuse a range below 1", async function () {
      const { address, readOnly } = await loadFixture(deployFixture);
      expect(readOnly.maxLogRange).to.equal(DEFAULT_MAX_LOG_RANGE);
      expect(connectRegistry(address, ethers.provider, { maxLogRange: 500 }).maxLogRange).to.equal(500);
      let code: string | undefined;
      try {
        connectRegistry(address, ethers.provider, { maxLogRange: 0 });
      } catch (error) {
        code = isClientError(error) ? error.code : String(error);
      }
      expect(code).to.equal("CLIENT_INVALID_INPUT");
    });
  });

  describe("reverts", function () {
    it("turns an unknown image into CLIENT_UNKNOWN_IMAGE", async function () {
      const { readOnly } = await loadFixture(deployFixture);
      expect(await codeOf(readOnly.imageInfo(12345n))).to.equal("CLIENT_UNKNOWN_IMAGE");
    });

    it("turns a missing role into CLIENT_NOT_AUTHORIZED, and knows who holds it", async function () {
      const { admin, stranger, strangerAccount } = await loadFixture(deployFixture);
      const adminAccount = (await admin.account()) ?? "";
      expect(await admin.isCommunityManager(adminAccount)).to.equal(true);
      expect(await stranger.isCommunityManager(strangerAccount)).to.equal(false);
      expect(await codeOf(stranger.formCommunity(4))).to.equal("CLIENT_NOT_AUTHORIZED");
    });

    it("turns a transaction's revert into a ClientError too (a receipt for an unknown image)", async function () {
      const { stranger } = await loadFixture(deployFixture);
      expect(await codeOf(stranger.confirmStorage(12345n, 1n))).to.equal("CLIENT_UNKNOWN_IMAGE");
    });
  });

  describe("the manager's choice of nodes, receipts in state and two-step ownership", function () {
    /** Nodes 3..6 opted in; a community of 4, `nodes[i]` by choice in slot i; an image of it. */
    async function communityFixture() {
      const fixture = await deployFixture();
      const signers = (await ethers.getSigners()).slice(3, 7);
      for (const [i, signer] of signers.entries()) {
        await connectRegistry(fixture.address, signer).optIn(`12D3KooWChoice${i}`, [], "0x");
      }
      const nodes = signers.map((signer) => signer.address).reverse();
      const { communityId } = await fixture.admin.formCommunityWith(nodes);
      await fixture.admin.setUploader(communityId, fixture.strangerAccount, true);
      const root = ethers.id("client registry root");
      const cid = ethers.concat(["0x01551220", ethers.sha256("0x03")]);
      const { imageId } = await fixture.stranger.registerImage(communityId, 4, root, cid);
      return { ...fixture, signers, nodes, communityId, imageId };
    }

    it("forms a community of the chosen nodes and names a node that is not free as CLIENT_NOT_A_NODE", async function () {
      const { admin, node, nodes, communityId, nodeAccount } = await loadFixture(communityFixture);
      expect(await admin.communityMembers(communityId)).to.deep.equal(nodes);
      await node.optIn("12D3KooWChoiceSpare", [], "0x");
      expect(await codeOf(admin.formCommunityWith([nodeAccount, nodes[0] ?? ""]))).to.equal(
        "CLIENT_NOT_A_NODE",
      );
      expect(await codeOf(admin.formCommunityWith([nodeAccount, nodeAccount]))).to.equal(
        "CLIENT_INVALID_INPUT",
      );
      expect(await codeOf(node.removeFreeNode(nodeAccount))).to.equal("CLIENT_NOT_AUTHORIZED");
      expect((await admin.removeFreeNode(nodeAccount)).emitted).to.equal(true);
      expect((await admin.nodeInfo(nodeAccount)).status).to.equal("none");
    });

    it("reads the receipts that count from the registry's state, in the shape verify uses", async function () {
      const { address, admin, signers, imageId } = await loadFixture(communityFixture);
      expect(await admin.storageReceipts(imageId, 1n)).to.deep.equal([]);
      const last = signers[0];
      if (last === undefined) throw new Error("setup");
      await connectRegistry(address, last).confirmStorage(imageId, 1n);
      // signers were handed out in reverse: the first signer holds slot 3.
      expect(await admin.storageReceipts(imageId, 1n)).to.deep.equal([{ node: last.address, slot: 3 }]);
    });

    it("transfers ownership in two steps, naming a caller that was not offered the image CLIENT_NOT_AUTHORIZED", async function () {
      const { admin, stranger, node, imageId, nodeAccount, strangerAccount } =
        await loadFixture(communityFixture);
      await stranger.grantEditor(imageId, strangerAccount);
      expect(await stranger.pendingImageOwner(imageId)).to.equal(undefined);
      await stranger.transferImageOwnership(imageId, nodeAccount);
      expect(await stranger.pendingImageOwner(imageId)).to.equal(nodeAccount);
      expect(await codeOf(admin.acceptImageOwnership(imageId))).to.equal("CLIENT_NOT_AUTHORIZED");
      expect((await node.acceptImageOwnership(imageId)).emitted).to.equal(true);
      expect((await admin.imageInfo(imageId)).owner).to.equal(nodeAccount);
      expect(await admin.isEditor(imageId, strangerAccount)).to.equal(false);
    });
  });
});
