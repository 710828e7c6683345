// The durability model behind `pnpm simulate:durability`: schemes and networks, the closed-form
// figures, the event-driven simulation that checks them, and the plot.
export { DurabilityParamsError } from "./errors.js";
export { SCHEMES, VOLUNTEER_NETWORK, type NetworkParams, type Scheme } from "./params.js";
export { binomialTail, computeDurability, type ComputedDurability } from "./analytic.js";
export { simulateDurability, type SimulatedDurability, type SimulationOptions } from "./simulate.js";
export { renderDurabilitySvg, type AgreementPoint, type DurabilityPlot, type OverheadPoint } from "./plot.js";
