import { DispError } from "@disp/protocol";

/** Contact-sheet input that cannot be drawn: no panels, a malformed image or option. */
export class ContactSheetError extends DispError {
  declare readonly code: "CONTACT_SHEET_INVALID";

  constructor(message: string, options?: ErrorOptions) {
    super("CONTACT_SHEET_INVALID", message, options);
  }
}
