import { buildTree, isManifestCid, MAX_MANIFEST_BYTES, merkleValues, shardEntries } from "@disp/protocol";
import { codecOf, parseManifest, type Manifest } from "@disp/core";
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

/** What the chain fixes for every version of an image: how many shards, kept by how many slots. */
export interface ImageShape {
  /** The image's community, 0 for a replicated image. */
  readonly communityId: bigint;
  /** Shards per version, recorded on chain at registration (the community's size, or 1). */
  readonly fragmentCount: number;
  /** The slots that keep them now: the community's members, or the replicas. */
  readonly slots: number;
}

/**
 * Refuses a manifest whose shards do not fit the image it is registered for (CLIENT_MANIFEST_MISMATCH):
 * its shard count (fragments and parity shards) must be the image's on-chain shard count and, for
 * a community, one shard per member; a pooling codec's kernel must make exactly those fragments and fit inside the image (every
 * fragment holds pixels of its own); a codec that does not pool keeps one whole file. The registry
 * cannot check this itself (a version is a root and a CID: it never sees the manifest), so every
 * reader, verifier and agent checks it after proving the manifest, and store and update check their
 * own before registering. A version failing it is refused for good: no retry can make it fit.
 */
export function checkManifestShape(manifest: Manifest, shape: ImageShape, what: string): void {
  const { kernel, image } = manifest;
  const shards = shardCountOf(manifest);
  const refuse = (reason: string): never => {
    throw new ClientError("CLIENT_MANIFEST_MISMATCH", `${what}: the manifest ${reason}`);
  };
  if (shards !== shape.fragmentCount) {
    refuse(`lists ${shards} shards, the image keeps ${shape.fragmentCount} per version on chain`);
  }
  if (shape.communityId !== 0n && shards !== shape.slots) {
    refuse(`lists ${shards} shards, community ${shape.communityId} has ${shape.slots} slots`);
  }
  const kernelText = `${kernel.height}x${kernel.width}`;
  if (codecOf(manifest.codec).pools) {
    if (kernel.height * kernel.width !== manifest.fragments.length) {
      refuse(`has a ${kernelText} kernel for ${manifest.fragments.length} fragments`);
    }
    if (image.width < kernel.width || image.height < kernel.height) {
      refuse(`has a ${kernelText} kernel on a ${image.width}x${image.height} image`);
    }
  } else if (kernel.height !== 1 || kernel.width !== 1) {
    refuse(`has a ${kernelText} kernel for a codec that keeps the whole file`);
  }
}

/** The shards a version spreads over its slots, one each: its fragments, then its parity shards. */
function shardCountOf(manifest: Manifest): number {
  return shardEntries(manifest).length;
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
