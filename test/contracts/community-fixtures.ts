import type { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { namedSigners, nodeAccounts, optInAll } from "./helpers.js";

type Connection = Awaited<ReturnType<typeof network.create<"generic">>>;

/** How many nodes the community tests opt in: more than the largest community. */
export const POOL = 70;

/** The community tests' fixtures on `connection` (one set per test file, for `loadFixture`). */
export function communityFixtures({ ethers, ignition, networkHelpers }: Connection) {
  async function deployFixture() {
    const accounts = await namedSigners(ethers, ["admin", "stranger"]);
    const { registry: deployed } = await ignition.deploy(DispModule);
    const registry = await ethers.getContractAt("DispRegistry", deployed);
    const nodes = await nodeAccounts(ethers, networkHelpers, POOL);
    return { registry, ...accounts, nodes };
  }

  /** Every node opted in, in order: the pool is `nodes`. */
  async function poolFixture() {
    const fixture = await deployFixture();
    await optInAll(fixture.registry, fixture.nodes);
    return fixture;
  }

  /** Community 1 formed from nodes 0..3; nodes 4.. still free. */
  async function communityFixture() {
    const fixture = await poolFixture();
    await (await fixture.registry.formCommunity(4)).wait();
    return fixture;
  }

  return { deployFixture, poolFixture, communityFixture };
}
