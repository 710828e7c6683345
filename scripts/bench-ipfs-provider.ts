/**
 * The far end of `pnpm bench:ipfs`'s bitswap measurement, in its own process: an embedded node that
 * adds what it is asked to and serves it. Protocol over stdio, one JSON object per line:
 * it prints {"address"}; then for each {"bytes": n} read it adds n random bytes and prints {"cid"};
 * it stops when stdin closes.
 */
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";

import { createEmbeddedNode } from "@disp/ipfs";

const directory = process.env["DISP_BENCH_PROVIDER_DIR"];
if (directory === undefined) throw new Error("DISP_BENCH_PROVIDER_DIR is not set");

const node = await createEmbeddedNode({ directory });
const send = (message: object): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};
send({ address: (await node.addresses())[0] });
for await (const line of createInterface({ input: process.stdin })) {
  const { bytes } = JSON.parse(line) as { bytes: number };
  send({ cid: (await node.add(randomBytes(bytes))).toString() });
}
await node.stop();
