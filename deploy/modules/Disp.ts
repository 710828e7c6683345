import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the DISP registry. The deployer is the admin (it can grant and revoke every role) and,
 * unless the `communityManager` parameter names another account, also the community manager.
 *
 *   pnpm hardhat ignition deploy deploy/modules/Disp.ts --network sepolia \
 *     --parameters '{"Disp": {"communityManager": "0x..."}}'
 */
export default buildModule("Disp", (m) => {
  const admin = m.getAccount(0);
  const communityManager = m.getParameter("communityManager", admin);
  const registry = m.contract("DispRegistry", [admin, communityManager]);
  return { registry };
});
