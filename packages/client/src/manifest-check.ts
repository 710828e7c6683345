import { buildTree, isManifestCid, MAX_MANIFEST_BYTES, merkleValues } from "@disp/protocol";
import { parseManifest, type Manifest } from "@disp/core";
import { isIpfsError, type IpfsNode } from "@disp/ipfs";
import type { CID } from "multiformats/cid";

import { ClientError, messageOf } from "./errors.js";
import type { VersionRecord } from "./versions.js";
import { imageIdHex } from "./image-id.js";

/** A manifest whose leaf (and every fragment leaf it lists) is proven against the on-chain root. */
export interface VerifiedManifest {
  readonly manifest: Manifest;
  readonly bytes: Uint8Array;
}

/** The Merkle root of a manifest's version: fragment leaves + the manifest leaf. */
export function rootOf(manifest: Manifest, bytes: Uint8Array): string {
  return buildTree(merkleValues(manifest, bytes)).root;
}

/**
 * Fetches the version's manifest and proves it against the root registered on chain: the tree
 * rebuilt from the manifest (its fragment digests and its own digest) must have that root. From then
 * on every fragment digest the manifest lists is as good as proven on chain.
 */
export async function fetchVerifiedManifest(
  ipfs: IpfsNode,
  record: Pick<VersionRecord, "imageId" | "version" | "root" | "manifestCid">,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<VerifiedManifest> {
  const bytes = await fetchManifestBytes(ipfs, record.manifestCid, options);
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes);
  } catch (error) {
    throw new ClientError(
      "CLIENT_MANIFEST_MISMATCH",
      `image ${imageIdHex(record.imageId)} version ${record.version}: the manifest at ${record.manifestCid} is invalid: ${messageOf(error)}`,
      { cause: error },
    );
  }
  if (rootOf(manifest, bytes) !== record.root) {
    throw new ClientError(
      "CLIENT_MANIFEST_MISMATCH",
      `image ${imageIdHex(record.imageId)} version ${record.version}: the manifest at ${record.manifestCid} does not match the on-chain root ${record.root}`,
    );
  }
  return { manifest, bytes };
}

/**
 * A manifest is one raw block of at most MAX_MANIFEST_BYTES: any other CID is refused before
 * anything is fetched (CLIENT_MANIFEST_MISMATCH), so a registrant cannot make readers walk a DAG.
 */
async function fetchManifestBytes(
  ipfs: IpfsNode,
  cid: CID,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<Uint8Array> {
  if (!isManifestCid(cid)) {
    throw new ClientError(
      "CLIENT_MANIFEST_MISMATCH",
      `the manifest CID ${cid} is not one raw block hashed with SHA-256 (codec 0x${cid.code.toString(16)}, multihash 0x${cid.multihash.code.toString(16)}): refused unread`,
    );
  }
  try {
    return await ipfs.cat(cid, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      maxBytes: MAX_MANIFEST_BYTES,
    });
  } catch (error) {
    // The CID names one block: larger than a manifest may be is so wherever it is fetched from.
    if (isIpfsError(error, "IPFS_TOO_LARGE")) {
      throw new ClientError(
        "CLIENT_MANIFEST_MISMATCH",
        `the manifest ${cid} is too large: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    throw new ClientError(
      "CLIENT_MANIFEST_UNAVAILABLE",
      `the manifest ${cid} could not be fetched: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
