import { DispError } from "@disp/protocol";

/** Durability-model input out of range: a scheme, network or run size the model cannot take. */
export class DurabilityParamsError extends DispError {
  declare readonly code: "DURABILITY_PARAMS_INVALID";

  constructor(message: string, options?: ErrorOptions) {
    super("DURABILITY_PARAMS_INVALID", message, options);
  }
}
