import { expect } from "chai";
import type { Interface } from "ethers";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { namedSigners } from "./helpers.js";
import {
  ICommunityRegistry__factory,
  IImageKeys__factory,
  IImageRegistry__factory,
  IStorageReceipts__factory,
} from "../../packages/client/src/typechain/index.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** The ERC-165 id of an interface: the XOR of its function selectors. */
function interfaceId(abi: Interface): string {
  let id = 0n;
  abi.forEachFunction((fragment) => {
    id ^= BigInt(fragment.selector);
  });
  return ethers.toBeHex(id, 4);
}

async function deployFixture() {
  const accounts = await namedSigners(ethers, ["deployer", "manager", "stranger"]);
  const { registry: deployed, keyRegistry } = await ignition.deploy(DispModule);
  return {
    registry: await ethers.getContractAt("DispRegistry", deployed),
    keyRegistry: await keyRegistry.getAddress(),
    ...accounts,
  };
}

describe("DispRegistry deployment", function () {
  it("makes the deployer admin and community manager through the Ignition module", async function () {
    const { registry, deployer, stranger } = await loadFixture(deployFixture);
    const managerRole = await registry.COMMUNITY_MANAGER_ROLE();
    expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(true);
    expect(await registry.hasRole(managerRole, deployer.address)).to.equal(true);
    expect(await registry.hasRole(managerRole, stranger.address)).to.equal(false);
    expect(await registry.getRoleAdmin(managerRole)).to.equal(await registry.DEFAULT_ADMIN_ROLE());
  });

  it("gives the manager role to the account named by the communityManager parameter", async function () {
    const { manager, deployer } = await loadFixture(deployFixture);
    const { registry: deployed } = await ignition.deploy(DispModule, {
      parameters: { Disp: { communityManager: manager.address } },
      deploymentId: "with-manager",
    });
    const registry = await ethers.getContractAt("DispRegistry", deployed);
    const managerRole = await registry.COMMUNITY_MANAGER_ROLE();
    expect(await registry.hasRole(managerRole, manager.address)).to.equal(true);
    expect(await registry.hasRole(managerRole, deployer.address)).to.equal(false);
    expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(true);
  });

  it("grants no manager role when the constructor is given the zero address", async function () {
    const { deployer, keyRegistry } = await loadFixture(deployFixture);
    const registry = await ethers.deployContract("DispRegistry", [
      deployer.address,
      ethers.ZeroAddress,
      keyRegistry,
    ]);
    expect(await registry.hasRole(await registry.COMMUNITY_MANAGER_ROLE(), ethers.ZeroAddress)).to.equal(
      false,
    );
    await expect(registry.formCommunity(2))
      .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, await registry.COMMUNITY_MANAGER_ROLE());
  });

  it("reverts with DispRegistryInvalidAdmin for a zero admin", async function () {
    const { registry, manager, keyRegistry } = await loadFixture(deployFixture);
    await expect(ethers.deployContract("DispRegistry", [ethers.ZeroAddress, manager.address, keyRegistry]))
      .to.be.revertedWithCustomError(registry, "DispRegistryInvalidAdmin")
      .withArgs(ethers.ZeroAddress);
  });

  it("names the key registry the Ignition module deployed, and refuses the zero address", async function () {
    const { registry, deployer, manager, keyRegistry } = await loadFixture(deployFixture);
    expect(await registry.encryptionKeyRegistry()).to.equal(keyRegistry);
    await expect(
      ethers.deployContract("DispRegistry", [deployer.address, manager.address, ethers.ZeroAddress]),
    )
      .to.be.revertedWithCustomError(registry, "ImageKeysInvalidKeyRegistry")
      .withArgs(ethers.ZeroAddress);
  });

  it("lets only the admin grant the manager role", async function () {
    const { registry, stranger } = await loadFixture(deployFixture);
    const managerRole = await registry.COMMUNITY_MANAGER_ROLE();
    await expect(registry.connect(stranger).grantRole(managerRole, stranger.address))
      .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
      .withArgs(stranger.address, await registry.DEFAULT_ADMIN_ROLE());
  });

  it("supports ERC-165 for its interfaces and AccessControl", async function () {
    const { registry } = await loadFixture(deployFixture);
    const ids = {
      ICommunityRegistry: interfaceId(ICommunityRegistry__factory.createInterface()),
      IImageRegistry: interfaceId(IImageRegistry__factory.createInterface()),
      IStorageReceipts: interfaceId(IStorageReceipts__factory.createInterface()),
      IImageKeys: interfaceId(IImageKeys__factory.createInterface()),
      IAccessControl: "0x7965db0b",
      IERC165: "0x01ffc9a7",
    };
    for (const [name, id] of Object.entries(ids)) {
      expect(await registry.supportsInterface(id), name).to.equal(true);
    }
    expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    expect(await registry.supportsInterface("0x80ac58cd")).to.equal(false); // ERC-721
  });
});
