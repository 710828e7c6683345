import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import EncryptionKeyRegistryModule from "./EncryptionKeyRegistry.js";

/**
 * Deploys the DISP registry, the encryption key registry its private images' keys are wrapped to
 * (through that module, so one key registry per chain is reused) and its storage challenges. The deployer is the admin (it can grant and
 * revoke every role) and, unless the `communityManager` parameter names another account, also the
 * community manager. The challenge parameters default to a day-long epoch of L1 blocks, an hour to
 * answer, every version sampled and at most 500 versions challenged per epoch (docs/proofs.md).
 *
 *   pnpm hardhat ignition deploy deploy/modules/Disp.ts --network sepolia \
 *     --parameters '{"Disp": {"communityManager": "0x...", "epochBlocks": 7200}}'
 */
export default buildModule("Disp", (m) => {
  const admin = m.getAccount(0);
  const communityManager = m.getParameter("communityManager", admin);
  const { keyRegistry } = m.useModule(EncryptionKeyRegistryModule);
  const registry = m.contract("DispRegistry", [admin, communityManager, keyRegistry]);
  const challenges = m.contract("StorageChallenges", [
    registry,
    m.getParameter("epochBlocks", 7200n),
    m.getParameter("responseWindow", 300n),
    m.getParameter("sampleBps", 10_000n),
    m.getParameter("maxChallengesPerEpoch", 500n),
  ]);
  return { registry, challenges, keyRegistry };
});
