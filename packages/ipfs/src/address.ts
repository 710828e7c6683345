import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";

import { IpfsError } from "./errors.js";

/** Parses a multiaddr given as text, failing with `IPFS_INVALID_INPUT`. */
export function parseMultiaddr(address: string): Multiaddr {
  try {
    return multiaddr(address);
  } catch (error) {
    throw new IpfsError("IPFS_INVALID_INPUT", `not a multiaddr: ${address}`, { cause: error });
  }
}

/** True when the multiaddr's network address is on the loopback interface (127.0.0.0/8 or ::1). */
export function isLoopback(address: string): boolean {
  const [, protocol, host] = address.split("/");
  if (protocol === "ip4") return host?.startsWith("127.") === true;
  if (protocol === "ip6") return host === "::1";
  return false;
}
