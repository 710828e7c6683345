import { isClientError } from "@disp/client";

/** The code of the ClientError `promise` rejects with, a description of anything else, or undefined. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isClientError(error) ? error.code : `not a ClientError: ${String(error)}`;
  }
  return undefined;
}
