import { connectRegistry, isClientError } from "@disp/client";
import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";

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

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isClientError(error) ? error.code : `not a ClientError: ${String(error)}`;
  }
  return undefined;
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
      expect(await node.lastPublishedAddresses(nodeAccount, 0)).to.deep.equal(["/ip4/127.0.0.1/tcp/4001"]);
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
});
