import { z } from "zod";

import { ManifestError } from "../errors.js";
import { canonicalJson } from "./canonical-json.js";
import { manifestSchema, type Manifest } from "./schema.js";

/** Checks a parsed JSON value against disp/manifest@1; the error names the first failing field. */
export function validateManifest(value: unknown): Manifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    throw new ManifestError(`invalid manifest: ${z.prettifyError(result.error).replaceAll("\n", "; ")}`);
  }
  return result.data;
}

/** The canonical bytes of a manifest (validated first): UTF-8, sorted keys, no whitespace. */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(validateManifest(manifest)));
}

/**
 * Reads manifest bytes strictly: valid UTF-8 JSON that passes the schema and is byte-for-byte in
 * canonical form, so that the bytes a reader accepts are the bytes whose hash is the Merkle leaf.
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new ManifestError("invalid manifest: not UTF-8 text", { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`invalid manifest: not JSON (${(error as Error).message})`, { cause: error });
  }
  const manifest = validateManifest(value);
  if (canonicalJson(manifest) !== text) {
    throw new ManifestError("invalid manifest: not in canonical form (sorted keys, no whitespace)");
  }
  return manifest;
}
