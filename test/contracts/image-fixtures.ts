import { AbiCoder, concat, id, keccak256, sha256, toUtf8Bytes } from "ethers";
import type { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { allowUploaders, namedSigners, nodeAccounts, optInAll, registeredImageId } from "./helpers.js";

type Connection = Awaited<ReturnType<typeof network.create<"generic">>>;

/** The data of one version, distinct per `label`. */
export function versionData(label: string): { root: string; manifestCid: string } {
  return {
    root: id(`root ${label}`),
    // A CIDv1 in binary form: version 1, raw codec, sha2-256 multihash.
    manifestCid: concat(["0x01551220", sha256(toUtf8Bytes(`manifest ${label}`))]),
  };
}

/** `uint256(keccak256(abi.encode(registrant, root)))`, computed off chain. */
export function expectedImageId(registrant: string, root: string): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [registrant, root])));
}

/** The image tests' fixtures on `connection` (one pair per test file, for `loadFixture`). */
export function imageFixtures({ ethers, ignition, networkHelpers }: Connection) {
  /**
   * Community 1 of 4 members and two free nodes; nothing registered. Every named account but
   * `outsider` may upload to community 1.
   */
  async function deployFixture() {
    const accounts = await namedSigners(ethers, [
      "admin",
      "owner",
      "editor",
      "reader",
      "stranger",
      "outsider",
    ]);
    const { registry: deployed } = await ignition.deploy(DispModule);
    const registry = await ethers.getContractAt("DispRegistry", deployed);
    const nodes = await nodeAccounts(ethers, networkHelpers, 6);
    await optInAll(registry, nodes);
    await (await registry.formCommunity(4)).wait();
    await allowUploaders(registry, 1n, [accounts.owner, accounts.editor, accounts.reader, accounts.stranger]);
    return {
      registry,
      ...accounts,
      members: nodes.slice(0, 4),
      freeNodes: nodes.slice(4),
    };
  }

  /** An image (`imageId`) registered by `owner` with community 1, `editor` granted. */
  async function imageFixture() {
    const fixture = await deployFixture();
    const { registry, owner, editor } = fixture;
    const v1 = versionData("v1");
    const imageId = await registeredImageId(
      registry,
      registry.connect(owner).registerImage(1, 4, v1.root, v1.manifestCid),
    );
    await (await registry.connect(owner).grantEditor(imageId, editor.address)).wait();
    return { ...fixture, v1, imageId };
  }

  return { deployFixture, imageFixture };
}
