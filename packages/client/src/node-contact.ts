import {
  canonicalPeerId,
  DEFAULT_MAX_MULTIADDR_LENGTH,
  refusedAddress,
  verifyPeerSignature,
  type AddressPolicy,
  type IpfsNode,
} from "@disp/ipfs";
import { AbiCoder, getBytes, hexlify, isHexString } from "ethers";

import type { ChainContext } from "./context.js";
import type { ClientErrorCode } from "./errors.js";
import { messageOf } from "./errors.js";
import type { NodeContact } from "./registry/index.js";

/**
 * The peer-id proof: a node's libp2p key signs the bytes
 *
 *     "libp2p-key signed message:" || abi.encode(
 *       string   "disp/node-key-binding/v1",
 *       uint256  chainId,
 *       address  registry,
 *       address  account,
 *       string   peerId,
 *       string[] multiaddrs)
 *
 * (the prefix is Kubo's `key/sign`'s, see `@disp/ipfs`). It binds the peer id to the account on
 * one registry of one chain, with the addresses it publishes: a proof cannot be replayed by another
 * account, on another registry or chain, or with other addresses. The registry stores it beside the
 * node's record without checking it (no cheap Ed25519 on the EVM); clients check it before dialling.
 */
export const NODE_KEY_BINDING_DOMAIN = "disp/node-key-binding/v1";

/** The most multiaddrs a node may publish (the registry's `MAX_MULTIADDRS`). */
export const MAX_PUBLISHED_MULTIADDRS = 8;

/** Chains where loopback and private addresses are dialled by default (Hardhat, Ganache / geth --dev). */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

export interface NodeBinding {
  readonly chainId: bigint;
  readonly registry: string;
  readonly account: string;
  readonly peerId: string;
  readonly multiaddrs: readonly string[];
}

/** The bytes (before the prefix) a node's peer key signs for `binding`. */
export function nodeBindingMessage(binding: NodeBinding): Uint8Array {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["string", "uint256", "address", "address", "string", "string[]"],
    [
      NODE_KEY_BINDING_DOMAIN,
      binding.chainId,
      binding.registry,
      binding.account,
      binding.peerId,
      [...binding.multiaddrs],
    ],
  );
  return getBytes(encoded);
}

/** The proof (hex) `ipfs` gives for `binding`, signed with its peer key. */
export async function signNodeBinding(
  ipfs: Pick<IpfsNode, "signWithPeerKey">,
  binding: NodeBinding,
): Promise<string> {
  return hexlify(await ipfs.signWithPeerKey(nodeBindingMessage(binding)));
}

/** Why `proof` does not prove `binding`, or undefined when it does. */
export async function nodeProofFailure(binding: NodeBinding, proof: string): Promise<string | undefined> {
  if (canonicalPeerId(binding.peerId) !== binding.peerId) {
    return `its peer id ${binding.peerId} is not a peer id in canonical (base58btc) form`;
  }
  if (!isHexString(proof) || proof === "0x") return `it published no proof for peer id ${binding.peerId}`;
  try {
    if (await verifyPeerSignature(binding.peerId, nodeBindingMessage(binding), getBytes(proof))) {
      return undefined;
    }
  } catch (error) {
    return messageOf(error);
  }
  return `its proof is not peer ${binding.peerId}'s signature over its account and addresses`;
}

/** The address policy of a context: its own, else by the chain (private ranges on a local one). */
export async function addressPolicyOf(context: ChainContext): Promise<AddressPolicy> {
  if (context.addressPolicy !== undefined) return context.addressPolicy;
  return { allowPrivate: LOCAL_CHAIN_IDS.includes(await context.registry.chainId()) };
}

/**
 * What a node agent publishes of its IPFS node's addresses: those the most permissive policy
 * accepts (a reader on a local network may dial private ones), public ones first, at most
 * `MAX_PUBLISHED_MULTIADDRS` (a Kubo node announces many more).
 */
export function publishableAddresses(addresses: readonly string[], peerId: string): string[] {
  const policy = { allowPrivate: true, maxLength: DEFAULT_MAX_MULTIADDR_LENGTH };
  const usable = [...new Set(addresses)].filter(
    (address) => refusedAddress(address, policy, peerId) === undefined,
  );
  const isPublic = (address: string) =>
    refusedAddress(address, { maxLength: policy.maxLength }) === undefined;
  return [...usable.filter(isPublic), ...usable.filter((address) => !isPublic(address))].slice(
    0,
    MAX_PUBLISHED_MULTIADDRS,
  );
}

/** A node the client may dial: its proven peer id and the addresses the policy lets it dial. */
export type DialTarget =
  | { readonly peerId: string; readonly addresses: readonly string[] }
  | { readonly code: ClientErrorCode; readonly reason: string };

/**
 * Checks what `node` published before anything is dialled: the proof must bind its peer id to the
 * account (else CLIENT_PEER_ID_UNPROVEN), and at least one address must pass the policy (else
 * CLIENT_ADDRESS_REFUSED). Addresses come back ending in `/p2p/<peer id>`.
 */
export async function dialTarget(
  context: ChainContext,
  node: string,
  contact: NodeContact | undefined,
): Promise<DialTarget> {
  if (contact === undefined) return { code: "CLIENT_ADDRESS_REFUSED", reason: "it published no address" };
  const { peerId, multiaddrs, peerIdProof } = contact;
  const binding = {
    chainId: await context.registry.chainId(),
    registry: context.registry.address,
    account: node,
    peerId,
    multiaddrs,
  };
  const failure = await nodeProofFailure(binding, peerIdProof);
  if (failure !== undefined) return { code: "CLIENT_PEER_ID_UNPROVEN", reason: failure };
  if (multiaddrs.length === 0) return { code: "CLIENT_ADDRESS_REFUSED", reason: "it published no address" };
  const policy = await addressPolicyOf(context);
  const refusals: string[] = [];
  const addresses: string[] = [];
  for (const address of multiaddrs.slice(0, MAX_PUBLISHED_MULTIADDRS)) {
    const refused = refusedAddress(address, policy, peerId);
    if (refused !== undefined) refusals.push(`${address.slice(0, 80)}: ${refused}`);
    else addresses.push(address.endsWith(`/p2p/${peerId}`) ? address : `${address}/p2p/${peerId}`);
  }
  if (addresses.length === 0) {
    return {
      code: "CLIENT_ADDRESS_REFUSED",
      reason: `every address it published is refused (${refusals.join("; ")})`,
    };
  }
  return { peerId, addresses };
}
