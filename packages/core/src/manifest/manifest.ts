import { canonicalBytes, parseCanonical, validateWith } from "@disp/protocol";

import { manifestSchema, type Manifest } from "./schema.js";

/** Checks a parsed JSON value against every readable manifest version; the error names the field. */
export function validateManifest(value: unknown): Manifest {
  return validateWith(manifestSchema, value);
}

/** The canonical bytes of a manifest (validated first): UTF-8, sorted keys, no whitespace. */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return canonicalBytes(validateManifest(manifest));
}

/**
 * Reads manifest bytes strictly: valid UTF-8 JSON that passes the schema (codec section included)
 * and is byte-for-byte in canonical form, so the bytes a reader accepts are the bytes whose hash is
 * the Merkle leaf.
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  return parseCanonical(manifestSchema, bytes);
}
