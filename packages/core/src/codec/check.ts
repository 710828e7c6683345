import { computeCid, sha256Hex } from "@disp/protocol";

import type { Manifest } from "../manifest/schema.js";

/**
 * Checks one fragment file against its manifest entry without decoding it: size, CID (with the
 * manifest's UnixFS settings) and SHA-256 (the digest in its Merkle leaf). Undefined when the file
 * is the one the manifest names, else why it is not.
 */
export async function checkFragmentBytes(
  manifest: Manifest,
  index: number,
  bytes: Uint8Array,
): Promise<string | undefined> {
  const entry = manifest.fragments[index];
  if (entry === undefined) return "not in the manifest";
  if (bytes.length !== entry.size) return `is ${bytes.length} bytes, the manifest says ${entry.size}`;
  if ((await computeCid(bytes, manifest.unixfs)).toString() !== entry.cid) return "does not match its CID";
  if (sha256Hex(bytes) !== entry.sha256) return "does not match its SHA-256";
  return undefined;
}
