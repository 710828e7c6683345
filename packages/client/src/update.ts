import { accountOf, type ClientContext } from "./context.js";
import { ClientError, isClientError } from "./errors.js";
import { imageIdHex } from "./image-id.js";
import { checkManifestShape, rootOf } from "./manifest-check.js";
import { openVersion } from "./open-version.js";
import { placementFor } from "./placement.js";
import { keysForNextVersion, newContentKeyFor } from "./private-keys.js";
import { visibilityOf, type Visibility } from "./sealed.js";
import {
  DEFAULT_TIMEOUT_MS,
  commit,
  encodeFor,
  result,
  withDefaults,
  type EncodeOptions,
  type StoreResult,
} from "./store.js";

/**
 * Adds a version to an image the signer owns or edits, kept the way the image is kept (same
 * community, or the same replicas), as private as the latest version unless told otherwise: a
 * private version has a fresh content key, wrapped for every key holder in the same transaction.
 * The permission is checked before anything is uploaded.
 */
export function updateImage(
  context: ClientContext,
  imageId: bigint,
  bytes: Uint8Array,
  given: EncodeOptions = {},
): Promise<StoreResult> {
  return addVersionOf(context, imageId, bytes, given, []);
}

/**
 * updateImage, and with `revoked` accounts a rotation: their read grants revoked and the version
 * added in one transaction (`rotate`), its key wrapped only for the holders that remain.
 */
export async function addVersionOf(
  context: ClientContext,
  imageId: bigint,
  bytes: Uint8Array,
  given: EncodeOptions,
  revoked: readonly string[],
): Promise<StoreResult> {
  const { registry } = context;
  const options = withDefaults(context, given);
  const account = await accountOf(context);
  const info = await registry.imageInfo(imageId);
  const mayEdit =
    account !== undefined &&
    (account.toLowerCase() === info.owner.toLowerCase() || (await registry.isEditor(imageId, account)));
  if (!mayEdit) {
    throw new ClientError(
      "CLIENT_NOT_AUTHORIZED",
      `${account ?? "a read-only client"} is neither the owner nor an editor of image ${imageIdHex(imageId)}`,
    );
  }
  const { communityId, nodes } = await placementFor(context, info);
  const mode = communityId === 0n ? "replicate" : "disp";
  const latest = await latestShape(context, imageId, options);
  const keepShape = mode === "disp" && options.kernel === undefined && options.parity === undefined;
  const shaped: EncodeOptions = {
    ...options,
    ...(keepShape ? { kernel: latest.kernel, parity: latest.parity } : {}),
    visibility: options.visibility ?? latest.visibility ?? "private",
  };
  const contentKey = await newContentKeyFor(shaped.visibility ?? "private");
  const encoded = await encodeFor(bytes, mode, nodes.length, shaped, contentKey);
  checkManifestShape(
    encoded.manifest,
    { communityId, fragmentCount: info.fragmentCount, slots: nodes.length },
    `image ${imageIdHex(imageId)}'s new version`,
  );
  const root = rootOf(encoded.manifest, encoded.manifestBytes);
  const version = info.versionCount + 1n;
  const keys =
    contentKey === undefined ? [] : await keysForNextVersion(context, imageId, version, contentKey, revoked);
  const committed = await commit(context, encoded, root, nodes, options, (manifestCid) =>
    revoked.length === 0
      ? registry.addVersion(imageId, root, manifestCid, keys)
      : registry.rotate(imageId, revoked, { root, manifestCid }, keys),
  );
  return result(encoded, mode, communityId, nodes, committed);
}

/**
 * The kernel, parity and visibility of an image's latest version, from its public manifest
 * (proven against its root, no key needed); nothing when it cannot be fetched, so that the
 * defaults apply.
 */
async function latestShape(
  context: ClientContext,
  imageId: bigint,
  options: EncodeOptions,
): Promise<Pick<EncodeOptions, "kernel" | "parity"> & { visibility?: Visibility }> {
  try {
    const { manifest } = await openVersion(context, imageId, undefined, {
      timeoutMs: Math.min(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 30_000),
      signal: options.signal,
    });
    return { kernel: manifest.kernel, parity: manifest.parity?.m ?? 0, visibility: visibilityOf(manifest) };
  } catch (error) {
    if (isClientError(error, "CLIENT_MANIFEST_UNAVAILABLE")) return {};
    throw error;
  }
}
