import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { storeImage, type ClientContext } from "@disp/client";
import { chooseColorType, decodeImage, encodePng } from "@disp/core";
import { startWorld, type World } from "@disp/devkit";
import { computeCid } from "@disp/protocol";
import { hexlify } from "ethers";
import { network } from "hardhat";

// An honest store on an idle community against the same store behind N junk registrations: images
// a listed but hostile uploader registers with manifests nobody holds, so every member's agent gets
// tasks that never complete (each attempt waits the agents' whole fetch timeout, 20 s in a world).
// Each honest store is a fresh image of a fresh registrant, timed from the call to the last receipt;
// each condition is the median of SAMPLES stores (a shared machine's load moves single runs a lot).
// Progress on stderr (DEBUG_JUNK=1 adds each agent's events, timed from the store's start); the
// last stdout line is one JSON object.

const JUNK_ROUNDS = [4, 50] as const;
const SAMPLES = 3;
const say = (line: string) => console.error(`• ${line}`);
const source = await readFile(join(import.meta.dirname, "..", "test", "fixtures", "chelsea.png"));

/** The fixture with its first pixel changed: a new root, so a new image for any registrant. */
async function variant(n: number): Promise<Uint8Array> {
  const image = await decodeImage(source);
  const data = new Uint8Array(image.data);
  data[0] = n & 0xff;
  const pixels = { width: image.width, height: image.height, data };
  return encodePng(pixels, { colorType: chooseColorType(pixels), filter: "up", deflateLevel: 6 });
}

async function registerJunk(client: ClientContext, communityId: bigint, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const manifest = await computeCid(randomBytes(64));
    await client.registry.registerImage(communityId, 4, hexlify(randomBytes(32)), hexlify(manifest.bytes));
  }
}

let stores = 0;
async function honestStore(world: World, user: number): Promise<number> {
  const account = world.users[user];
  if (account === undefined) throw new Error(`no user ${user}`);
  const uploader = await world.startIpfs(`uploader-${user}-${stores}`);
  const bytes = await variant(++stores);
  const started = performance.now();
  honestStart = started;
  await storeImage(world.client(account, uploader), bytes, { mode: "disp", communityId: world.communityId });
  return Math.round(performance.now() - started);
}

/** The median of SAMPLES honest stores by `user`, and the samples. */
async function medianStore(world: World, user: number): Promise<{ median: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await honestStore(world, user));
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, samples };
}

const directory = await mkdtemp(join(tmpdir(), "disp-bench-junk-"));
const connection = await network.create();
let honestStart = 0;
const world = await startWorld(connection, {
  directory,
  communitySize: 4,
  onAgentEvent: (node, event) => {
    if (process.env.DEBUG_JUNK !== undefined && event.type !== "synced" && event.type !== "failed")
      say(
        `+${Math.round(performance.now() - honestStart)} ms node ${node}: ${event.type} ${"task" in event ? event.task.imageId.slice(0, 6) : ""}`,
      );
  },
});
try {
  // The first store warms up the nodes' connections; the idle time is the median of the next ones.
  await honestStore(world, 0);
  const idle = await medianStore(world, 1);
  const idleMs = idle.median;
  say(`idle community: honest store in ${idleMs} ms (median of ${idle.samples.join(", ")})`);
  const hostile = world.users[2];
  if (hostile === undefined) throw new Error("no hostile user");
  const hostileClient = world.client(hostile, await world.startIpfs("hostile"));
  const behind: Record<string, number> = {};
  const samples: Record<string, number[]> = { idle: idle.samples };
  let registered = 0;
  for (const [round, junk] of JUNK_ROUNDS.entries()) {
    await registerJunk(hostileClient, world.communityId, junk - registered);
    registered = junk;
    const { median: ms, samples: taken } = await medianStore(world, 3 + round);
    behind[`junk${junk}Ms`] = ms;
    samples[`junk${junk}`] = taken;
    say(
      `behind ${junk} junk registrations: honest store in ${ms} ms (${(ms / idleMs).toFixed(2)}x idle; ${taken.join(", ")})`,
    );
  }
  const ratios = Object.fromEntries(
    JUNK_ROUNDS.map((junk) => [`ratio${junk}`, Number(((behind[`junk${junk}Ms`] ?? 0) / idleMs).toFixed(3))]),
  );
  console.log(JSON.stringify({ idleMs, ...behind, ...ratios, goal: 2, samplesMs: samples }));
} finally {
  await world.stop();
  await connection.close();
  await rm(directory, { recursive: true, force: true });
}
