import type { Interface } from "ethers";

import { ClientError, type ClientErrorCode } from "../errors.js";
import { imageIdHex } from "../image-id.js";

/** The ClientError for a registry revert, or `error` itself when it is not one. */
export function clientErrorOf(iface: Interface, error: unknown): unknown {
  if (error instanceof ClientError) return error;
  const revert = decodeRevert(iface, error);
  if (revert === undefined) return error;
  const [code, message] = describeRevert(revert.name, revert.args);
  return new ClientError(code, message, { cause: error });
}

interface Revert {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** Finds revert data anywhere in an ethers / Hardhat error and decodes it with the registry's ABI. */
export function decodeRevert(iface: Interface, error: unknown): Revert | undefined {
  for (const data of revertDataCandidates(error, 0)) {
    try {
      const parsed = iface.parseError(data);
      if (parsed !== null) return { name: parsed.name, args: [...parsed.args] };
    } catch {
      // Not this candidate; keep looking.
    }
  }
  return undefined;
}

function* revertDataCandidates(value: unknown, depth: number): Generator<string> {
  if (depth > 4 || value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  for (const key of ["data", "revertData"]) {
    const data = record[key];
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) yield data;
  }
  for (const key of ["error", "info", "cause", "data"]) {
    if (typeof record[key] === "object") yield* revertDataCandidates(record[key], depth + 1);
  }
}

function describeRevert(name: string, args: readonly unknown[]): [ClientErrorCode, string] {
  const [a, b, c] = args.map(String);
  const image = () => imageIdHex(BigInt(args[0] as bigint));
  switch (name) {
    case "ImageRegistryUnknownImage":
      return ["CLIENT_UNKNOWN_IMAGE", `image ${image()} does not exist`];
    case "ImageRegistryImageExists":
      return ["CLIENT_IMAGE_EXISTS", `this account already stored this image, as image ${image()}`];
    case "ImageRegistryUnknownVersion":
      return ["CLIENT_UNKNOWN_VERSION", `image ${image()} has no version ${b}`];
    case "ImageRegistryUnknownCommunity":
    case "CommunityRegistryUnknownCommunity":
      return ["CLIENT_UNKNOWN_COMMUNITY", `community ${a} does not exist`];
    case "ImageRegistryFragmentCountMismatch":
      return ["CLIENT_INVALID_INPUT", `community ${a} has ${b} members but the image has ${c} fragments`];
    case "ImageRegistryNotOwner":
      return ["CLIENT_NOT_AUTHORIZED", `${b} is not the owner of image ${image()}`];
    case "ImageRegistryNotEditor":
      return ["CLIENT_NOT_AUTHORIZED", `${b} is neither the owner nor an editor of image ${image()}`];
    case "ImageRegistryNotUploader":
      return [
        "CLIENT_NOT_UPLOADER",
        `${b} may not store images on community ${a}: ask its manager to list it (disp:community:uploader)`,
      ];
    case "CommunityRegistryInvalidUploader":
      return ["CLIENT_INVALID_INPUT", `${a} cannot be an uploader`];
    case "AccessControlUnauthorizedAccount":
      return ["CLIENT_NOT_AUTHORIZED", `${a} lacks the role ${b}`];
    case "StorageReceiptsNotStorageNode":
      return ["CLIENT_NOT_A_NODE", `${b} keeps no part of image ${image()}`];
    case "CommunityRegistryNodeNotOptedIn":
    case "ImageRegistryNodeNotOptedIn":
      return ["CLIENT_NOT_A_NODE", `${a} is not an opted-in storage node`];
    case "CommunityRegistryNodeNotFree":
      return ["CLIENT_NOT_A_NODE", `${a} is not a free storage node (not opted in, or already serving)`];
    case "CommunityRegistryDuplicateMember":
      return ["CLIENT_INVALID_INPUT", `${b} already holds a slot of community ${a}`];
    case "ImageRegistryDuplicateReplica":
      return ["CLIENT_INVALID_INPUT", `${a} is already a replica of this image`];
    case "ImageRegistryNotPendingOwner":
      return [
        "CLIENT_NOT_AUTHORIZED",
        `${b} was not offered image ${image()}: its owner must transfer it first`,
      ];
    case "ImageRegistryNotReplicated":
      return ["CLIENT_INVALID_INPUT", `image ${image()} is kept by a community, not by replicas`];
    case "ImageRegistryInvalidReplicaIndex":
      return ["CLIENT_INVALID_INPUT", `image ${image()} has no replica ${b}`];
    case "CommunityRegistryPeerIdTaken":
      return ["CLIENT_INVALID_INPUT", `peer id ${a} is already published by the opted-in account ${b}`];
    case "CommunityRegistryTooManyMultiaddrs":
      return ["CLIENT_INVALID_INPUT", `a node may publish at most ${b} multiaddrs, not ${a}`];
    case "CommunityRegistryMultiaddrTooLong":
      return ["CLIENT_INVALID_INPUT", `multiaddr ${a} is ${b} bytes long, more than ${c}`];
    case "CommunityRegistryPeerIdTooLong":
    case "CommunityRegistryPeerIdProofTooLong":
      return [
        "CLIENT_INVALID_INPUT",
        `the ${name.includes("Proof") ? "proof" : "peer id"} is ${a} bytes long, more than ${b}`,
      ];
    case "ImageRegistryTooManyEditors":
    case "ImageRegistryTooManyReaders":
      return [
        "CLIENT_INVALID_INPUT",
        `image ${image()} has ${b} ${name.endsWith("Editors") ? "editors" : "readers"} already, the most it may have: revoke one first`,
      ];
    case "ImageKeysAccountCannotRead":
      return [
        "CLIENT_NOT_AUTHORIZED",
        `${b} cannot read image ${image()}: a key is published only to its owner, editors and readers`,
      ];
    case "ImageKeysInvalidEnvelope":
      return ["CLIENT_INVALID_INPUT", `wrapped key ${a} is ${b} bytes long, not the envelope's 81`];
    case "ImageKeysLengthMismatch":
      return ["CLIENT_INVALID_INPUT", `${a} accounts were given with ${b} envelopes`];
    case "ImageKeysTooManyKeys":
      return ["CLIENT_INVALID_INPUT", `one call publishes at most ${b} wrapped keys, not ${a}`];
    default:
      return ["CLIENT_REVERTED", `the registry refused: ${name}(${args.map(String).join(", ")})`];
  }
}
