import { BrowserProvider, type Eip1193Provider, type Interface } from "ethers";

/** JSON-RPC requests by method, and `eth_call`s by the contract function they call. */
export interface RpcCounts {
  readonly total: number;
  readonly methods: Record<string, number>;
  readonly calls: Record<string, number>;
}

/**
 * An ethers provider over `inner` that counts every JSON-RPC request a client sends through it:
 * what a client costs a remote node, independent of timing. The network is fixed (one
 * `eth_chainId` at most), as a client that knows its chain would configure it.
 */
export function countingProvider(
  inner: Eip1193Provider,
  iface: Interface,
): { provider: BrowserProvider; counts: () => RpcCounts; reset: () => void } {
  let methods = new Map<string, number>();
  let calls = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const counter: Eip1193Provider = {
    request(request) {
      bump(methods, request.method);
      if (request.method === "eth_call") bump(calls, functionName(iface, request.params));
      return inner.request(request);
    },
  };
  return {
    provider: new BrowserProvider(counter, undefined, { staticNetwork: true }),
    counts: () => ({
      total: [...methods.values()].reduce((sum, n) => sum + n, 0),
      methods: Object.fromEntries([...methods].sort()),
      calls: Object.fromEntries([...calls].sort()),
    }),
    reset: () => {
      methods = new Map();
      calls = new Map();
    },
  };
}

function functionName(iface: Interface, params: unknown): string {
  const [transaction] = Array.isArray(params) ? params : [];
  const data: unknown =
    transaction !== null && typeof transaction === "object" && "data" in transaction
      ? transaction.data
      : undefined;
  if (typeof data !== "string" || data.length < 10) return "(no data)";
  return iface.getFunction(data.slice(0, 10))?.name ?? data.slice(0, 10);
}
