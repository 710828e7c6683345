// The test and demo harness: local worlds (chain + registry + embedded nodes + agents), the demo
// scenario, the flow benchmark, tamper helpers and the contact sheet. The library never imports it.
export { ContactSheetError } from "./errors.js";
export { startWorld, type StorageNode, type World, type WorldOptions } from "./world.js";
export { createLocalNetwork, type LocalNetwork, type LocalNetworkOptions } from "./local-network.js";
export { embeddedBlockStore, tamperWithStoredBlock, tampered, type TamperedBlock } from "./tamper.js";
export { LEAK_WINDOW, isImageFile, sharesPlaintext } from "./leaks.js";
export { demoPrivacy, type PrivacyDemoOptions, type PrivacyDemoOutcome } from "./demo-privacy.js";
export { runDemo, type DemoOptions, type DemoOutcome } from "./demo-scenario.js";
export type { ProofRoundOutcome } from "./demo-proofs.js";
export { benchFlow, type FlowBenchResult } from "./bench-flow.js";
export { benchPrivate, type PrivateBenchResult } from "./bench-private.js";
export { JPEG_PHOTO_FIXTURE, JPEG_PHOTO_HEIGHT, JPEG_PHOTO_WIDTH, makeJpegPhoto } from "./jpeg-photo.js";
export {
  DEFAULT_MAX_PANEL_WIDTH,
  MAX_SHEET_WIDTH,
  composeContactSheet,
  planContactSheet,
  type ContactSheetOptions,
  type ContactSheetPlan,
  type PanelPlacement,
  type SheetPanel,
} from "./contact-sheet.js";
