/**
 * Kubo's `key/sign` (Kubo 0.25+), which js-ipfs 0.66 lacks, in front of the js-ipfs daemon: a
 * proxy on 127.0.0.1 answers `POST /api/v0/key/sign` as Kubo does and forwards every other request
 * to the daemon's API unchanged.
 *
 * Kubo's behaviour (core/commands/keystore.go, core/coreapi/key.go): the `data` file argument is
 * read whole, the key (`?key=`, default `self`) signs `"libp2p-key signed message:" || data`, and the
 * answer is `{"Key":{"Name":"self","Id":"<key id, base36 CIDv1>"},"Signature":"<multibase base64url>"}`.
 */
import { readFile } from "node:fs/promises";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";

import { privateKeyFromProtobuf } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { base36 } from "multiformats/bases/base36";
import { base64url } from "multiformats/bases/base64";

type PrivateKey = ReturnType<typeof privateKeyFromProtobuf>;

const PREFIX = new TextEncoder().encode("libp2p-key signed message:");

/** The daemon's own key, from its repository's config (`Identity.PrivKey`, a base64 protobuf). */
export async function loadIdentityKey(configFile: string): Promise<PrivateKey> {
  const config = JSON.parse(await readFile(configFile, "utf8")) as { Identity?: { PrivKey?: unknown } };
  const encoded = config.Identity?.PrivKey;
  if (typeof encoded !== "string") throw new Error(`no Identity.PrivKey in ${configFile}`);
  return privateKeyFromProtobuf(Buffer.from(encoded, "base64"));
}

/** Starts the proxy; resolves with its port once it listens. */
export async function startKeySignProxy(
  apiPort: number,
  key: PrivateKey,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/api/v0/key/sign") {
      sign(req, res, url, key).catch((error: unknown) => answer(res, 500, kuboError(String(error))));
      return;
    }
    forward(req, res, apiPort);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the key/sign proxy has no port");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function sign(req: IncomingMessage, res: ServerResponse, url: URL, key: PrivateKey): Promise<void> {
  if (req.method !== "POST") return answer(res, 405, kuboError(`${req.method} is not allowed`));
  const name = url.searchParams.get("key") ?? "self";
  if (name !== "self" && name !== "") return answer(res, 500, kuboError(`no key named ${name} was found`));
  const form = await new Request(url, {
    method: "POST",
    headers: Object.entries(req.headers).flatMap(([header, value]) =>
      typeof value === "string" ? [[header, value] as [string, string]] : [],
    ),
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: "half",
  } as RequestInit).formData();
  const file = [...form.values()].find((value): value is File => typeof value !== "string");
  if (file === undefined) return answer(res, 400, kuboError('argument "data" is required'));
  const data = new Uint8Array(await file.arrayBuffer());
  const signed = new Uint8Array(PREFIX.length + data.length);
  signed.set(PREFIX);
  signed.set(data, PREFIX.length);
  const signature = await key.sign(signed);
  const id = peerIdFromPrivateKey(key).toCID().toString(base36);
  answer(res, 200, { Key: { Name: "self", Id: id }, Signature: base64url.encode(signature) });
}

function forward(req: IncomingMessage, res: ServerResponse, apiPort: number): void {
  const upstream = request(
    { host: "127.0.0.1", port: apiPort, method: req.method, path: req.url, headers: req.headers },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    if (!res.headersSent) answer(res, 502, kuboError(error.message));
    else res.destroy(error);
  });
  req.pipe(upstream);
}

/** Kubo's error body. */
function kuboError(message: string): object {
  return { Message: message, Code: 0, Type: "error" };
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
