import { CID, isIpfsError } from "@disp/ipfs";
import { buildTree, merkleValues, proofFor, sha256Hex, type Kernel, type RgbaImage } from "@disp/protocol";
import { parseManifest, psnr } from "@disp/core";
import {
  changeAccess,
  imageIdHex,
  repairSlot,
  retrieveImage,
  storeImage,
  verifyImage,
  type OnClientProgress,
  type RetrieveResult,
  type StoreResult,
} from "@disp/client";
import { rm } from "node:fs/promises";

import type { NetworkConnection } from "hardhat/types/network";

import { demoPrivacy, type PrivacyDemoOutcome } from "./demo-privacy.js";
import { proofDemo, type ProofDemo, type ProofRoundOutcome } from "./demo-proofs.js";
import { embeddedBlockStore, tamperWithStoredBlock, tampered } from "./tamper.js";
import { startWorld, type World } from "./world.js";

export interface DemoOptions {
  readonly image: Uint8Array;
  readonly kernel: Kernel;
  /** Parity shards beside the kernel's fragments: the community has k + m members. */
  readonly parity: number;
  /** Where the nodes keep their blocks. */
  readonly directory: string;
  readonly say: (line: string) => void;
  readonly onProgress?: OnClientProgress;
}

export interface DemoOutcome {
  readonly stored: StoreResult;
  readonly fragments: Uint8Array[];
  readonly exact: RetrieveResult;
  readonly degraded: RetrieveResult;
  readonly degradedPsnrDb: number;
  /** Slots down (one of them lost for good) while the image still came back exact. */
  readonly exactWithLostSlots: number[];
  readonly exactWithLost: boolean;
  /** The lost slot was repaired onto a new node, and the image was exact with two other slots down. */
  readonly repairedExact: boolean;
  readonly tamperedSlot: number;
  readonly tamperedRejected: boolean;
  readonly replicated: StoreResult;
  readonly replicateExact: boolean;
  /** The storage-challenge round: proofs accepted, a cheater caught, its slot repaired from RepairNeeded. */
  readonly proofs: ProofRoundOutcome;
  /** The privacy scene: a private store, an outsider refused, a grantee exact, a revocation by rotation. */
  readonly privacy: PrivacyDemoOutcome;
  readonly storeMs: number;
  readonly retrieveMs: number;
  readonly exactPixels: RgbaImage;
  readonly degradedPixels: RgbaImage;
}

/** Short waits for what is known to be gone, so the demo does not idle. */
const GONE_TIMEOUT_MS = 4000;

/**
 * The product end to end on one chain: deploy; storage nodes opt in and form a community of k + m;
 * a user stores a photograph; the uploader's node goes away; a reader on a node that never saw the
 * upload gets it back bit-exactly from the community; a tampered copy is never used (rebuilt from
 * parity); the classic way, full replication; two nodes go down (one for good) and the image still
 * comes back exact; a third goes down and it comes back approximate, with its PSNR; the lost slot
 * is repaired onto a new node, after which two other nodes may be down; then storage challenges
 * (demo-proofs.ts): every member proves its shard, a node that deleted its shard is caught and its
 * slot is repaired from the contract's RepairNeeded.
 */
export async function runDemo(connection: NetworkConnection, options: DemoOptions): Promise<DemoOutcome> {
  const { say, kernel } = options;
  const size = kernel.height * kernel.width + options.parity;
  say(
    `deploying the registry and starting ${size} storage nodes (embedded IPFS on 127.0.0.1, each with its agent)`,
  );
  const proofs = proofDemo(connection);
  // The world's agents answer the challenges of the contract its Disp module deploys.
  const world = await startWorld(connection, {
    directory: options.directory,
    communitySize: size,
    onAgentEvent: proofs.onAgentEvent,
  });
  try {
    return await scenario(world, proofs, options);
  } finally {
    await world.stop();
  }
}

async function scenario(world: World, proofs: ProofDemo, options: DemoOptions): Promise<DemoOutcome> {
  const { say, onProgress } = options;
  const [owner, reader, revoked, outsider] = world.users;
  if (owner === undefined || reader === undefined || revoked === undefined || outsider === undefined) {
    throw new Error("the network needs more accounts");
  }
  say(
    `community ${world.communityId} formed: ${world.nodes.map((node) => node.account.address.slice(0, 10)).join(", ")}`,
  );

  const uploaderIpfs = await world.startIpfs("uploader");
  const ownerClient = world.client(owner, uploaderIpfs);
  let started = performance.now();
  const stored = await storeImage(
    ownerClient,
    options.image,
    // Public: its fragments are the viewable pictures of the contact sheet (the privacy scene below
    // stores a private one).
    { mode: "disp", communityId: world.communityId },
    { kernel: options.kernel, parity: options.parity, visibility: "public", onProgress },
  );
  const storeMs = performance.now() - started;
  say(
    `stored image ${imageIdHex(stored.imageId)} (${stored.codec} codec, ${stored.parity} shards, ${(stored.storedBytes / options.image.length).toFixed(2)}× the file${stored.fallback ? `, fell back: ${stored.fallback.reason}` : ""}): every slot confirmed on chain in ${Math.round(storeMs)} ms`,
  );
  const fragments = await Promise.all(stored.parts.map((part) => uploaderIpfs.cat(CID.parse(part.cid))));
  await changeAccess(ownerClient, "grant-read", stored.imageId, reader.address);
  say(`read access granted to ${reader.address} (advisory on a public image: its fragments are viewable)`);
  await uploaderIpfs.stop();
  say("the uploader's node is stopped: from now on only the community holds the image");

  const readerClient = world.client(reader, await world.startIpfs("reader-1"));
  started = performance.now();
  const exact = await retrieveImage(readerClient, stored.imageId, { onProgress });
  const retrieveMs = performance.now() - started;
  say(
    `retrieved by a reader that never saw the upload: exact=${exact.exact}, content hash verified=${exact.contentHashVerified}, ${Math.round(retrieveMs)} ms`,
  );
  const verified = await verifyImage(readerClient, stored.imageId);
  say(
    `verify: ${verified.slots.filter((slot) => slot.confirmed && slot.status === "held" && slot.provenOnChain).length}/${verified.slots.length} slots confirmed, held by their node and proven on chain`,
  );

  const tamperedSlot = Math.min(1, world.nodes.length - 1);
  const tamperedRejected = await tamperStep(world, stored, fragments, tamperedSlot, options);

  const everyNode = world.nodes.filter((node) => node.running);
  const ownerIpfs = await world.startIpfs("uploader-2");
  const replicated = await storeImage(
    world.client(owner, ownerIpfs),
    options.image,
    { mode: "replicate", nodes: everyNode.map((node) => node.account.address) },
    { visibility: "public", onProgress },
  );
  await ownerIpfs.stop();
  const copy = await retrieveImage(
    world.client(owner, await world.startIpfs("reader-4")),
    replicated.imageId,
    { onProgress },
  );
  const replicateExact = copy.exact && sha256Hex(copy.bytes) === sha256Hex(options.image);
  say(
    `full replication on ${everyNode.length} nodes: image ${imageIdHex(replicated.imageId)}, retrieved exact=${replicateExact}`,
  );
  const k = kernel(stored);
  const lost = await lossSteps(world, stored, options, k);
  const exactPixels = await exact.pixels();
  const degradedPixels = await lost.degraded.pixels();
  const degradedPsnrDb = psnr(exactPixels, degradedPixels);
  say(
    `approximate recovery with slots ${lost.degradedSlots.join(", ")} down (more than the ${options.parity} parity rebuilds): missing ${JSON.stringify(lost.degraded.missing)}, ${lost.degraded.estimatedPixels} pixels estimated, PSNR ${degradedPsnrDb.toFixed(2)} dB`,
  );
  const repairedExact = await repairStep(world, stored, options, lost.exactWithLostSlots);
  const proofRound = await proofs.round(world, stored, options);
  const privacy = await demoPrivacy(world, {
    image: options.image,
    owner,
    grantee: reader,
    revoked,
    outsider,
    say,
  });

  return {
    stored,
    fragments,
    exact,
    degraded: lost.degraded,
    degradedPsnrDb,
    exactWithLostSlots: lost.exactWithLostSlots,
    exactWithLost: lost.exactWithLost,
    repairedExact,
    tamperedSlot,
    tamperedRejected,
    replicated,
    replicateExact,
    proofs: proofRound,
    privacy,
    storeMs,
    retrieveMs,
    exactPixels,
    degradedPixels,
  };
}

/**
 * One storage node's copy of its fragment is tampered with on disk. A reader must never use it:
 * bitswap refuses blocks that do not hash to their CID, so the fragment is an erasure, rebuilt
 * bit-exactly from parity (without parity the image comes back approximate, never wrongly
 * "exact"); and the registry itself refuses the tampered file's leaf. The copy is restored
 * afterwards.
 */
async function tamperStep(
  world: World,
  stored: StoreResult,
  fragments: readonly Uint8Array[],
  slot: number,
  options: DemoOptions,
): Promise<boolean> {
  const node = world.nodes[slot];
  const original = fragments[slot];
  const [, reader] = world.users;
  if (node === undefined || original === undefined || reader === undefined) return false;
  const block = original.subarray(
    0,
    stored.parts[slot] === undefined ? 0 : Math.min(original.length, 262_144),
  );
  const tampering = await tamperWithStoredBlock(embeddedBlockStore(node.directory), block);
  if (tampering.copies === 0) throw new Error(`no stored block of fragment ${slot} found on node ${slot}`);
  options.say(`node of slot ${slot} now serves a tampered copy of fragment ${slot}`);
  let result: RetrieveResult;
  let ownCopyRefused: boolean;
  try {
    result = await retrieveImage(world.client(reader, await world.startIpfs("reader-2")), stored.imageId, {
      timeoutMs: GONE_TIMEOUT_MS,
      onProgress: options.onProgress,
    });
    // The node's own read of its copy re-hashes it too.
    ownCopyRefused = await node.ipfs
      .cat(CID.parse(stored.parts[slot]?.cid ?? ""), { timeoutMs: GONE_TIMEOUT_MS })
      .then(
        () => false,
        (error: unknown) => isIpfsError(error, "IPFS_INTEGRITY"),
      );
  } finally {
    await tampering.restore();
  }
  const manifestBytes = await node.ipfs.cat(CID.parse(stored.manifestCid));
  const tree = buildTree(merkleValues(parseManifest(manifestBytes), manifestBytes));
  const tamperedFile = Uint8Array.from(original);
  tamperedFile.set(tampered(block), 0);
  const acceptedOnChain = await world.registry.verifyFragment(
    stored.imageId,
    stored.version,
    slot,
    sha256Hex(tamperedFile),
    proofFor(tree, slot),
  );
  // Never used: an erasure, rebuilt bit-exactly from parity (or, without parity, estimated).
  const unused =
    result.lost.includes(slot) &&
    (result.exact ? result.rebuilt.includes(slot) : result.missing.includes(slot));
  // The node was up and reachable all along: its copy was refused because it is not the fragment.
  const reachable = !result.unreachable.some((entry) => entry.node === node.account.address);
  options.say(
    `tampered fragment ${slot}: ${unused ? "never used" : "USED"} (reader: exact=${result.exact}, rebuilt from parity ${JSON.stringify(result.rebuilt)}, missing ${JSON.stringify(result.missing)}); ` +
      `the node's own copy ${ownCopyRefused ? "fails its CID" : "PASSES its CID"}; its leaf ${acceptedOnChain ? "ACCEPTED" : "refused"} by the registry's verifyFragment`,
  );
  return unused && reachable && ownCopyRefused && !acceptedOnChain;
}

/** The number of fragments (data shards) of a stored version. */
function kernel(stored: StoreResult): number {
  return Number((stored.parity ?? "1+0").split("+")[0]);
}

/**
 * Slot 0's node is lost for good (stopped, its block store deleted) and slot k - 1's is down:
 * with m >= 2 the image still comes back exact. Then one more (the last slot) goes down, more
 * than parity rebuilds, and it comes back approximate; that node comes back up afterwards.
 */
async function lossSteps(world: World, stored: StoreResult, options: DemoOptions, k: number) {
  const { say, onProgress } = options;
  const [, reader] = world.users;
  if (reader === undefined) throw new Error("the network needs more accounts");
  const downSlots = [0, Math.max(1, k - 1)].slice(0, Math.min(2, options.parity));
  for (const slot of downSlots) {
    const node = world.nodes[slot];
    if (node === undefined) throw new Error(`no node in slot ${slot}`);
    await world.stopNode(node);
    if (slot === 0) await rm(embeddedBlockStore(node.directory), { recursive: true, force: true });
  }
  say(
    `slot 0's node is lost for good (stopped, block store deleted)${downSlots.length > 1 ? `, slot ${downSlots[1]}'s is down` : ""}`,
  );
  const withLost = await retrieveImage(
    world.client(reader, await world.startIpfs("reader-lost")),
    stored.imageId,
    {
      timeoutMs: GONE_TIMEOUT_MS,
      onProgress,
    },
  );
  const exactWithLost = withLost.exact && sha256Hex(withLost.bytes) === sha256Hex(options.image);
  say(
    `retrieved with slots ${downSlots.join(", ")} down: exact=${exactWithLost} (path ${withLost.path}, fragments ${JSON.stringify(withLost.rebuilt)} rebuilt bit-exactly from parity)`,
  );
  const extraSlot = world.nodes.length - 1 === downSlots.at(-1) ? 1 : world.nodes.length - 1;
  const extra = world.nodes[extraSlot];
  if (extra === undefined) throw new Error("no node to stop");
  await world.stopNode(extra);
  const degraded = await retrieveImage(
    world.client(reader, await world.startIpfs("reader-3")),
    stored.imageId,
    {
      timeoutMs: GONE_TIMEOUT_MS,
      onProgress,
    },
  );
  await world.restartNode(extra);
  return {
    exactWithLostSlots: downSlots,
    exactWithLost,
    degraded,
    degradedSlots: [...downSlots, extraSlot],
  };
}

/**
 * The manager repairs slot 0 onto a new node: its agent rebuilds the shard from the others,
 * checks it against the leaf on chain and confirms. Then, with the other down slot still down and
 * one more stopped, the image still comes back exact, with slot 0's shard from the new node.
 */
async function repairStep(
  world: World,
  stored: StoreResult,
  options: DemoOptions,
  downSlots: readonly number[],
): Promise<boolean> {
  const { say, onProgress } = options;
  const [, reader] = world.users;
  if (reader === undefined || options.parity < 2) return false;
  const spare = await world.addNode();
  const started = performance.now();
  const repaired = await repairSlot({ registry: world.registry }, world.communityId, 0, {
    node: spare.account.address,
    timeoutMs: 120_000,
    onProgress,
  });
  const part = stored.parts[0];
  const leafOk =
    part !== undefined &&
    (await spare.ipfs.isPinned(CID.parse(part.cid))) &&
    (await world.registry.storageReceipts(stored.imageId, stored.version)).some(
      (receipt) => receipt.slot === 0 && receipt.node === spare.account.address,
    );
  say(
    `slot 0 repaired onto a new node ${spare.account.address.slice(0, 10)} in ${Math.round(performance.now() - started)} ms: its agent rebuilt the shard of ${repaired.versions} version(s) from the others, checked it against the leaf on chain and confirmed`,
  );
  const other = world.nodes[downSlots[1] === 1 ? 2 : 1];
  if (other === undefined) return false;
  await world.stopNode(other);
  const stillDown = [...downSlots.slice(1), world.nodes.indexOf(other)];
  const result = await retrieveImage(
    world.client(reader, await world.startIpfs("reader-repaired")),
    stored.imageId,
    {
      timeoutMs: GONE_TIMEOUT_MS,
      onProgress,
    },
  );
  const exact =
    result.exact && sha256Hex(result.bytes) === sha256Hex(options.image) && !result.lost.includes(0);
  say(`after the repair, with slots ${stillDown.join(", ")} down: exact=${exact}`);
  return leafOk && exact;
}
