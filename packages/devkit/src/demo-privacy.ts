import {
  changeAccess,
  imageIdHex,
  isClientError,
  openVersion,
  retrieveImage,
  revokeWithRotation,
  storeImage,
  type StoreResult,
} from "@disp/client";
import { encodeImageFile } from "@disp/core";
import { CID } from "@disp/ipfs";
import { sha256Hex } from "@disp/protocol";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { isImageFile, sharesPlaintext } from "./leaks.js";
import type { World } from "./world.js";

export interface PrivacyDemoOptions {
  readonly image: Uint8Array;
  readonly owner: HardhatEthersSigner;
  /** Granted read, then kept through the rotation. */
  readonly grantee: HardhatEthersSigner;
  /** Granted read, then revoked with rotation. */
  readonly revoked: HardhatEthersSigner;
  /** Never granted: fetches every CID straight from the nodes. */
  readonly outsider: HardhatEthersSigner;
  readonly say: (line: string) => void;
}

export interface PrivacyDemoOutcome {
  readonly visibility: "private";
  readonly stored: StoreResult;
  /** The outsider's client got the image, or a fetched shard was an image or held a plaintext run. */
  readonly outsiderGetsPlaintext: boolean;
  /**
   * The grantee got the stored content back exactly, before and after the rotation (content hash
   * verified; byte for byte when the codec gives the file back).
   */
  readonly granteeExact: boolean;
  /** The revoked account read the version the rotation wrote. */
  readonly revokedReadsRotatedVersion: boolean;
  readonly rotatedVersion: bigint;
}

/**
 * The privacy scene: the owner stores a photograph private (the default); an outsider fetching
 * every CID of it from the storage nodes gets ciphertext and its client is refused; a grantee
 * reads it exactly; a second reader is revoked with rotation and cannot read the new version,
 * which the grantee still reads exactly.
 */
export async function demoPrivacy(world: World, options: PrivacyDemoOptions): Promise<PrivacyDemoOutcome> {
  const { say, image, owner, grantee, revoked, outsider } = options;
  const ownerClient = world.client(owner, await world.startIpfs("privacy-owner"));
  const stored = await storeImage(ownerClient, image, { mode: "disp", communityId: world.communityId });
  say(`stored image ${imageIdHex(stored.imageId)} ${stored.visibility}: its shards are ciphertext`);
  for (const reader of [grantee, revoked]) {
    await changeAccess(ownerClient, "grant-read", stored.imageId, reader.address);
  }

  const outsiderGetsPlaintext = await outsiderSees(world, outsider, stored, image);
  say(`an outsider fetching every CID from the nodes gets plaintext: ${outsiderGetsPlaintext}`);

  const exactFor = async (reader: HardhatEthersSigner, name: string) => {
    const result = await retrieveImage(world.client(reader, await world.startIpfs(name)), stored.imageId);
    const sameFile = result.fidelity !== "fileExact" || sha256Hex(result.bytes) === sha256Hex(image);
    return result.exact && result.contentHashVerified && sameFile;
  };
  const granteeBefore = await exactFor(grantee, "privacy-grantee");
  say(`the grantee gets the file back exactly: ${granteeBefore}`);

  const rotated = await revokeWithRotation(ownerClient, stored.imageId, [revoked.address]);
  say(`${revoked.address} revoked; version ${rotated.version} has a new content key it does not hold`);
  const revokedReadsRotatedVersion = await exactFor(revoked, "privacy-revoked").catch((error: unknown) => {
    if (isClientError(error, "CLIENT_NOT_GRANTED")) return false;
    throw error;
  });
  const granteeAfter = await exactFor(grantee, "privacy-grantee-after");
  say(
    `the revoked reader reads the rotated version: ${revokedReadsRotatedVersion}; the grantee: ${granteeAfter}`,
  );
  return {
    visibility: "private",
    stored,
    outsiderGetsPlaintext,
    granteeExact: granteeBefore && granteeAfter,
    revokedReadsRotatedVersion,
    rotatedVersion: rotated.version,
  };
}

/**
 * What an outsider gets: its client's retrieve (refused: CLIENT_NOT_GRANTED), and every CID of the
 * version (manifest and shards) fetched from the nodes directly, checked for an image file or any
 * 32-byte run of the plaintext fragments (the codec's, encoded again from the file).
 */
async function outsiderSees(
  world: World,
  outsider: HardhatEthersSigner,
  stored: StoreResult,
  image: Uint8Array,
): Promise<boolean> {
  const client = world.client(outsider, await world.startIpfs("privacy-outsider"));
  const refused = await retrieveImage(client, stored.imageId).then(
    () => false,
    (error: unknown) => isClientError(error, "CLIENT_NOT_GRANTED"),
  );
  const opened = await openVersion(client, stored.imageId);
  // "auto", as the store chose: the same fragments the version sealed.
  const plain = await encodeImageFile(image, { kernel: opened.manifest.kernel });
  const plaintexts = plain.fragments.map((fragment) => fragment.bytes);
  const cids = [stored.manifestCid, ...stored.parts.map((part) => part.cid)];
  for (const cid of cids) {
    const bytes = await client.ipfs.cat(CID.parse(cid), { timeoutMs: 30_000 });
    if (isImageFile(bytes) || sharesPlaintext(bytes, plaintexts)) return true;
  }
  return !refused;
}
