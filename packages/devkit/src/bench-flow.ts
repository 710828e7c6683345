/**
 * The flow benchmark behind `pnpm bench:flow` (the task disp:bench:flow): the whole product against
 * the classic way, in one run over the same 4 embedded storage nodes on one network connection.
 * - DISP: a fresh user node stores the image with the community; the uploader's node is stopped;
 *   a fresh reader node that never saw the upload retrieves it (bit-exact, content hash checked);
 * - full replication of the same file on the 4 nodes, stored and read likewise;
 * - plain IPFS: add the file to one fresh node, `cat` it from another fresh node connected to it.
 * Store times run from the call to the last storage receipt on chain; retrieve times from the call
 * to the rebuilt, verified file. Where the store time goes (per onProgress phase) is in `*PhasesMs`.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  changeAccess,
  retrieveImage,
  storeImage,
  type RetrieveResult,
  type StoreResult,
  type StoreTarget,
  type Visibility,
} from "@disp/client";
import { codecNamed } from "@disp/core";
import { sha256Hex } from "@disp/protocol";
import type { NetworkConnection } from "hardhat/types/network";

import { phaseTimer, type PhaseTimes } from "./phase-timer.js";
import { startWorld, type World } from "./world.js";

/** A community of six: the default 2×2 kernel with two parity shards (4+2), against six replicas. */
const NODES = 6;
/** The goal of issue 5: DISP at most this many times slower than full replication. */
const MAX_RATIO = 3;

export type Say = (line: string) => void;

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export interface Measured<T> {
  readonly value: T;
  readonly ms: number;
  readonly phases: PhaseTimes;
}

/** One client call, timed as a whole and per progress phase. */
async function timed<T>(call: (timer: ReturnType<typeof phaseTimer>) => Promise<T>): Promise<Measured<T>> {
  const timer = phaseTimer();
  const started = performance.now();
  const value = await call(timer);
  const ms = performance.now() - started;
  return { value, ms, phases: timer.finish() };
}

export interface Round {
  readonly store: Measured<StoreResult>;
  readonly retrieve: Measured<RetrieveResult>;
  /** The reader got the registered image back bit for bit (and, for a file, the source bytes). */
  readonly exact: boolean;
}

/**
 * Stores `image` from a fresh user node, stops that node so the bytes can only come from the storage
 * nodes, then retrieves it as another account on another fresh node. The read grant is outside the
 * timings: it is the owner's business, not part of either path. Public unless told: this bench
 * compares ways of keeping the bytes, and bench:private compares the two visibilities.
 */
export async function storeThenRetrieve(
  world: World,
  image: Uint8Array,
  target: StoreTarget,
  say: Say,
  visibility: Visibility = "public",
  /** Which two of the world's users store and read (an account stores the same content once). */
  users: readonly [number, number] = [0, 1],
): Promise<Round> {
  const [owner, reader] = [world.users[users[0]], world.users[users[1]]];
  if (owner === undefined || reader === undefined) throw new Error("the network needs two user accounts");
  const uploader = await world.startIpfs(`${target.mode}-${visibility}-${users[0]}-uploader`);
  const ownerClient = world.client(owner, uploader);
  const store = await timed((timer) =>
    storeImage(ownerClient, image, target, { visibility, onProgress: timer.onProgress }),
  );
  say(
    `${target.mode} ${visibility}: stored image ${store.value.imageId} (${store.value.codec} codec, ${store.value.storedBytes} bytes pinned across the nodes) in ${Math.round(store.ms)} ms`,
  );
  await changeAccess(ownerClient, "grant-read", store.value.imageId, reader.address);
  await uploader.stop();

  const readerIpfs = await world.startIpfs(`${target.mode}-${visibility}-${users[0]}-reader`);
  const retrieve = await timed((timer) =>
    retrieveImage(world.client(reader, readerIpfs), store.value.imageId, { onProgress: timer.onProgress }),
  );
  await readerIpfs.stop();
  const result = retrieve.value;
  // Replication keeps the file itself: it must come back byte for byte.
  const sameFile = codecNamed(result.codec).pools || sha256Hex(result.bytes) === sha256Hex(image);
  const exact = result.exact && result.contentHashVerified && sameFile;
  say(`${target.mode}: retrieved by another node in ${Math.round(retrieve.ms)} ms, exact=${exact}`);
  return { store, retrieve, exact };
}

/** Plain IPFS, no chain and no agents: add on one fresh node, read from another connected to it. */
async function plain(world: World, image: Uint8Array, say: Say) {
  const adder = await world.startIpfs("plain-adder");
  const reader = await world.startIpfs("plain-reader");
  let started = performance.now();
  const cid = await adder.add(image);
  const addMs = performance.now() - started;
  const [address] = await adder.addresses();
  if (address === undefined) throw new Error("the plain adder node has no address");
  started = performance.now();
  await reader.connect(address);
  const connectMs = performance.now() - started;
  started = performance.now();
  const bytes = await reader.cat(cid, { timeoutMs: 120_000 });
  const catMs = performance.now() - started;
  await Promise.all([adder.stop(), reader.stop()]);
  const exact = sha256Hex(bytes) === sha256Hex(image);
  say(`plain: add ${Math.round(addMs)} ms, cat from another node ${Math.round(catMs)} ms, exact=${exact}`);
  return { addMs, connectMs, catMs, exact };
}

async function measure(world: World, image: Uint8Array, say: Say) {
  const disp = await storeThenRetrieve(world, image, { mode: "disp", communityId: world.communityId }, say);
  const replicas = world.nodes.map((node) => node.account.address);
  const replicate = await storeThenRetrieve(world, image, { mode: "replicate", nodes: replicas }, say);
  const raw = await plain(world, image, say);
  const storeRatio = disp.store.ms / replicate.store.ms;
  const retrieveRatio = disp.retrieve.ms / replicate.retrieve.ms;
  const storedBytesRatio = disp.store.value.storedBytes / image.length;
  const replicateStoredBytesRatio = replicate.store.value.storedBytes / image.length;
  return {
    storeMs: Math.round(disp.store.ms),
    retrieveMs: Math.round(disp.retrieve.ms),
    replicateStoreMs: Math.round(replicate.store.ms),
    replicateRetrieveMs: Math.round(replicate.retrieve.ms),
    plainAddMs: Math.round(raw.addMs),
    plainCatMs: Math.round(raw.catMs),
    storeRatio: round(storeRatio),
    retrieveRatio: round(retrieveRatio),
    storedBytesRatio: round(storedBytesRatio),
    replicateStoredBytesRatio: round(replicateStoredBytesRatio),
    goalMet:
      storeRatio <= MAX_RATIO && retrieveRatio <= MAX_RATIO && storedBytesRatio < replicateStoredBytesRatio,
    codec: disp.store.value.codec,
    parity: disp.store.value.parity,
    sourceBytes: image.length,
    nodes: world.nodes.length,
    exact: disp.exact,
    replicateExact: replicate.exact,
    plainExact: raw.exact,
    plainConnectMs: Math.round(raw.connectMs),
    storePhasesMs: disp.store.phases,
    retrievePhasesMs: disp.retrieve.phases,
    replicateStorePhasesMs: replicate.store.phases,
    replicateRetrievePhasesMs: replicate.retrieve.phases,
  };
}

/** What benchFlow measured; `exact`, `replicateExact` and `plainExact` say whether the reads were right. */
export type FlowBenchResult = Awaited<ReturnType<typeof measure>>;

/**
 * Deploys the registry on `connection`, starts 6 storage nodes with their agents in a temporary
 * directory (removed afterwards), and measures the three ways of storing and reading `image`.
 * Progress lines go to `say`.
 */
export async function benchFlow(
  connection: NetworkConnection,
  image: Uint8Array,
  say: Say,
): Promise<FlowBenchResult> {
  const directory = await mkdtemp(join(tmpdir(), "disp-bench-flow-"));
  try {
    say(`deploying and starting ${NODES} storage nodes with their agents (source ${image.length} bytes)`);
    const world = await startWorld(connection, { directory, communitySize: NODES });
    try {
      return await measure(world, image, say);
    } finally {
      await world.stop();
    }
  } finally {
    await removeDirectory(directory);
  }
}

/**
 * Removes the nodes' directory. An embedded node's stop() resolves while libp2p may still write a
 * peer-store record (seen 0.5-1 s later, recreating `<node>/datastore/peers/`), so remove again until
 * nothing has reappeared for a while.
 */
export async function removeDirectory(directory: string): Promise<void> {
  const quietMs = 2000;
  const stepMs = 250;
  await rm(directory, { recursive: true, force: true });
  for (let quiet = 0, waited = 0; quiet < quietMs && waited < 10_000; waited += stepMs) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    quiet += stepMs;
    if (existsSync(directory)) {
      await rm(directory, { recursive: true, force: true });
      quiet = 0;
    }
  }
}
