import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { dispTasks } from "./tasks/index.js";

// Hardhat downloads solc from binaries.soliditylang.org, which our machines cannot reach. We compile
// with the wasm build shipped in the `solc` npm package instead, and read its version from the
// package: Hardhat does not check that `version` matches the binary at `path`.
const require = createRequire(import.meta.url);
const solc = {
  version: (require("solc/package.json") as { version: string }).version,
  path: require.resolve("solc/soljson.js"),
  settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "prague", viaIR: true },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: dispTasks,
  solidity: {
    profiles: {
      default: solc,
      production: solc,
    },
  },
  typechain: {
    // The client package owns the typed bindings: they are its only way to touch a contract.
    outDir: "packages/client/src/typechain",
  },
  paths: {
    ignition: "deploy",
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // A local chain elsewhere (another port when 8545 is taken, as in the tests):
    // DISP_LOCAL_RPC_URL=http://127.0.0.1:8546 pnpm hardhat <task> --network local
    local: { type: "http", chainType: "l1", url: configVariable("DISP_LOCAL_RPC_URL") },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
