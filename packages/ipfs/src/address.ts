import { isIPv4, isIPv6 } from "node:net";

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

/**
 * Which published multiaddrs a reader may dial. Addresses come from the chain, where anyone
 * writes them, so the default refuses what a hostile registrant could turn against the reader:
 * anything but a direct TCP, WebSocket or QUIC address (no relays, no `/dnsaddr` lookups, no Unix
 * sockets), ports below 1024 other than 80 and 443 (the reader would knock on SSH, SMTP...),
 * unspecified, multicast, broadcast and link-local hosts (169.254.169.254 is a cloud's metadata
 * service), text longer than `maxLength`, and, unless `allowPrivate`, loopback and private ranges
 * (a public node has no business making readers dial into their own network).
 */
export interface AddressPolicy {
  /** Allow loopback (127/8, ::1, `localhost`), RFC 1918, CGNAT (100.64/10) and ULA (fc00::/7). */
  readonly allowPrivate?: boolean;
  /** The longest multiaddr text accepted (default 256, the registry's `MAX_MULTIADDR_LENGTH`). */
  readonly maxLength?: number;
}

export const DEFAULT_MAX_MULTIADDR_LENGTH = 256;

/** Ports below 1024 that libp2p nodes really listen on (WebSockets behind a web server). */
const WELL_KNOWN_PORTS = new Set([80, 443]);
/** What may follow the host, as protocol names: a direct TCP, WebSocket or QUIC address. */
const TRANSPORTS = ["tcp", "tcp/ws", "tcp/wss", "tcp/tls/ws", "udp/quic-v1"];
const HOSTS = new Set(["ip4", "ip6", "dns", "dns4", "dns6"]);
const DNS_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Why `address` may not be dialled under `policy`, or undefined when it may. When `peerId` is
 * given, an address naming another `/p2p/` peer id is refused too (it would dial someone else).
 */
export function refusedAddress(
  address: string,
  policy: AddressPolicy = {},
  peerId?: string,
): string | undefined {
  const maxLength = policy.maxLength ?? DEFAULT_MAX_MULTIADDR_LENGTH;
  if (address.length > maxLength) return `longer than ${maxLength} characters`;
  let components;
  try {
    components = multiaddr(address).getComponents();
  } catch {
    return "not a multiaddr";
  }
  const last = components.at(-1);
  if (last?.name === "p2p") {
    components = components.slice(0, -1);
    if (peerId !== undefined && last.value !== peerId) return `it names another peer (${last.value})`;
  }
  const [host, port, ...rest] = components;
  if (host === undefined || !HOSTS.has(host.name) || host.value === undefined) {
    return `${host?.name ?? "nothing"} is not an IP address or DNS name`;
  }
  const transport = [port?.name, ...rest.map((component) => component.name)].join("/");
  if (!TRANSPORTS.includes(transport)) return `transport /${transport} is not direct TCP, WebSocket or QUIC`;
  const number = Number(port?.value);
  if (!Number.isInteger(number) || number < 1 || number > 65_535) return `port ${port?.value} is not usable`;
  if (number < 1024 && !WELL_KNOWN_PORTS.has(number)) return `port ${number} is a system service's`;
  const range = rangeOf(host.name, host.value);
  if (range === "refused") return `host ${host.value} is not a unicast address`;
  if (range === "private" && policy.allowPrivate !== true) {
    return `host ${host.value} is loopback or private (allowed only on a local network)`;
  }
  return undefined;
}

type Range = "public" | "private" | "refused";

function rangeOf(protocol: string, host: string): Range {
  if (protocol === "ip4") return isIPv4(host) ? ipv4Range(host) : "refused";
  if (protocol === "ip6") return isIPv6(host) ? ipv6Range(host.toLowerCase()) : "refused";
  if (!DNS_NAME.test(host)) return "refused";
  const name = host.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost") ? "private" : "public";
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or `::ffff:xxxx:xxxx`). */
function ipv4Mapped(host: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  if (dotted !== undefined) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (hex === null) return undefined;
  const [high, low] = [parseInt(hex[1] ?? "0", 16), parseInt(hex[2] ?? "0", 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

function ipv4Range(host: string): Range {
  const [a = 0, b = 0] = host.split(".").map(Number);
  if (a === 0 || a >= 224 || (a === 169 && b === 254)) return "refused";
  if (a === 127 || a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b >= 64 && b < 128) return "private";
  return "public";
}

function ipv6Range(host: string): Range {
  const mapped = ipv4Mapped(host);
  if (mapped !== undefined) return ipv4Range(mapped);
  if (host === "::" || host.startsWith("ff") || /^fe[89ab]/.test(host)) return "refused";
  if (host === "::1" || /^f[cd]/.test(host)) return "private";
  return "public";
}
