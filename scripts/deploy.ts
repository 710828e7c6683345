import { network } from "hardhat";

import DispModule from "../deploy/modules/Disp.js";

// Deploys the registry to the in-process network through the same Ignition module users deploy
// with, and prints where it landed. (`hardhat run` compiles first.)
const { ignition, ethers } = await network.create();
const [deployer] = await ethers.getSigners();
const { registry } = await ignition.deploy(DispModule, { displayUi: false });

console.log(`network:      ${(await ethers.provider.getNetwork()).chainId} (in-process)`);
console.log(`deployer:     ${await deployer?.getAddress()}`);
console.log(`DispRegistry: ${await registry.getAddress()}`);
