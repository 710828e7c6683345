import { readFileSync } from "node:fs";

import { expect } from "chai";

import { computeCid, DispError, sha256Hex } from "@disp/protocol";
import {
  rebuildImageFile,
  serializeManifest,
  type EncodedImage,
  type Manifest,
  type RebuiltImage,
} from "@disp/core";

const CORPUS = new URL("../../fixtures/jpeg-corpus/", import.meta.url);

export function readCorpus(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, CORPUS)));
}

/** Rebuilds from every fragment of an encoding. */
export function rebuildAll(manifest: Manifest, encoded: EncodedImage): Promise<RebuiltImage> {
  return rebuildImageFile(
    manifest,
    encoded.fragments.map((f) => f.bytes),
  );
}

/** The DispError (of `type`, if given) that `promise` rejects with; fails the test if it resolves. */
export async function refusal<T extends DispError = DispError>(
  promise: Promise<unknown>,
  type?: abstract new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type ?? DispError);
    return error as T;
  }
  throw new Error("expected a refusal");
}

/**
 * A manifest that registers `bytes` as fragment `index` (its CID and SHA-256 recomputed), with the
 * other fragments as encoded: what an uploader who registered a broken fragment would produce.
 */
export async function withFragment(
  encoded: EncodedImage,
  index: number,
  bytes: Uint8Array,
): Promise<{ manifest: Manifest; files: Uint8Array[] }> {
  const cid = (await computeCid(bytes, encoded.manifest.unixfs)).toString();
  const manifest: Manifest = {
    ...encoded.manifest,
    fragments: encoded.manifest.fragments.map((entry) =>
      entry.index === index ? { index, cid, size: bytes.length, sha256: sha256Hex(bytes) } : entry,
    ),
  };
  serializeManifest(manifest); // still a valid manifest
  const files = encoded.fragments.map((f) => (f.index === index ? bytes : f.bytes));
  return { manifest, files };
}
