import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the encryption key registry: ownerless and standalone, one per chain serves every DISP
 * image registry on it.
 *
 *   pnpm hardhat ignition deploy deploy/modules/EncryptionKeyRegistry.ts --network sepolia
 */
export default buildModule("EncryptionKeyRegistry", (m) => {
  const keyRegistry = m.contract("EncryptionKeyRegistry");
  return { keyRegistry };
});
