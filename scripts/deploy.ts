import { network } from "hardhat";

import DispModule from "../deploy/modules/Disp.js";

// Deploys the registry to the in-process network through the same Ignition module users deploy
// with, and prints where it landed. (`hardhat run` compiles first.)
const { ignition, ethers } = await network.create();
const { registry } = await ignition.deploy(DispModule, { displayUi: false });
const [deployer] = await ethers.getSigners();

console.log(`chain id:     ${(await ethers.provider.getNetwork()).chainId} (in-process network)`);
console.log(`deployer:     ${deployer?.address ?? "none"} (admin and community manager)`);
console.log(`DispRegistry: ${await registry.getAddress()}`);
