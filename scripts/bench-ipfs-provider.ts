/**
 * The far end of `pnpm bench:ipfs`'s bitswap measurement, in its own process. Protocol over stdio,
 * one JSON object per line: for each {"bytes": n} it reads, it starts a fresh embedded node (the
 * previous one is stopped and its directory deleted), adds n random bytes and prints
 * {"cid", "address"}; it stops when stdin closes. It prints {"ready": true} once started.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { createEmbeddedNode, type IpfsNode } from "@disp/ipfs";

const directory = process.env["DISP_BENCH_PROVIDER_DIR"];
if (directory === undefined) throw new Error("DISP_BENCH_PROVIDER_DIR is not set");

const send = (message: object): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};
let node: IpfsNode | undefined;
let round = 0;
const retire = async (): Promise<void> => {
  await node?.stop();
  await rm(join(directory, `${round}`), { recursive: true, force: true });
};

send({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  const { bytes } = JSON.parse(line) as { bytes: number };
  await retire();
  round++;
  node = await createEmbeddedNode({ directory: join(directory, `${round}`) });
  const cid = await node.add(randomBytes(bytes));
  send({ cid: cid.toString(), address: (await node.addresses())[0] });
}
await retire();
