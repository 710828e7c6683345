import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Eip1193Provider } from "ethers";

/** The code a provider answers a too-wide `eth_getLogs` with (reth, and Infura's live API). */
export const LOG_RANGE_ERROR_CODE = -32602;

/** JSON-RPC over HTTP in front of a chain, refusing `eth_getLogs` wider than its cap. */
export interface LogRangeFront {
  readonly url: string;
  readonly maxRange: number;
  /** `eth_getLogs` requests answered and refused since the last reset. */
  counts(): { readonly served: number; readonly refused: number };
  reset(): void;
  close(): Promise<void>;
}

interface RpcRequest {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
}

/**
 * A JSON-RPC front on 127.0.0.1 (a free port) that forwards every request to `inner` (the Hardhat
 * network) and refuses, as real providers do, an `eth_getLogs` whose range spans more than
 * `maxRange` blocks once its tags ("earliest", "latest", ...) are resolved. The refusal is reth's
 * `{"code": -32602, "message": "query exceeds max block range 5000"}`; Infura answers the same code
 * with "range 1000000 exceeds limit of 10000". Batches are answered element by element.
 */
export async function startLogRangeFront(inner: Eip1193Provider, maxRange: number): Promise<LogRangeFront> {
  let served = 0;
  let refused = 0;

  async function blockOf(tag: unknown): Promise<number> {
    if (typeof tag === "string" && /^0x[0-9a-f]+$/i.test(tag)) return Number(BigInt(tag));
    if (tag === "earliest") return 0;
    return Number(BigInt(String(await inner.request({ method: "eth_blockNumber", params: [] }))));
  }

  async function answer(request: RpcRequest): Promise<Record<string, unknown>> {
    const reply = { jsonrpc: "2.0", id: request.id ?? null };
    const method = String(request.method);
    const params = Array.isArray(request.params) ? request.params : [];
    if (method === "eth_getLogs") {
      const filter: unknown = params[0];
      const record = filter !== null && typeof filter === "object" ? (filter as Record<string, unknown>) : {};
      if (record.blockHash === undefined) {
        const span =
          (await blockOf(record.toBlock ?? "latest")) - (await blockOf(record.fromBlock ?? "latest")) + 1;
        if (span > maxRange) {
          refused++;
          const message = `query exceeds max block range ${maxRange}`;
          return { ...reply, error: { code: LOG_RANGE_ERROR_CODE, message } };
        }
      }
      served++;
    }
    try {
      return { ...reply, result: await inner.request({ method, params }) };
    } catch (error) {
      const { code, message, data } = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
      return {
        ...reply,
        error: {
          code: typeof code === "number" ? code : -32603,
          message: String(message ?? error),
          ...(data === undefined ? {} : { data }),
        },
      };
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const result = Array.isArray(body)
      ? await Promise.all(body.map((one: RpcRequest) => answer(one)))
      : await answer(body as RpcRequest);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify(result, (_, value: unknown) =>
        typeof value === "bigint" ? `0x${value.toString(16)}` : value,
      ),
    );
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(400, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: String(error) } }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    maxRange,
    counts: () => ({ served, refused }),
    reset: () => {
      served = 0;
      refused = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
