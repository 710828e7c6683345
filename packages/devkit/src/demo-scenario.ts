import { CID, isIpfsError } from "@disp/ipfs";
import { buildTree, merkleValues, proofFor, sha256Hex, type Kernel, type RgbaImage } from "@disp/protocol";
import { parseManifest, psnr } from "@disp/core";
import {
  changeAccess,
  imageIdHex,
  retrieveImage,
  storeImage,
  verifyImage,
  type OnClientProgress,
  type RetrieveResult,
  type StoreResult,
} from "@disp/client";
import type { NetworkConnection } from "hardhat/types/network";

import { embeddedBlockStore, tamperWithStoredBlock, tampered } from "./tamper.js";
import { startWorld, type World } from "./world.js";

export interface DemoOptions {
  readonly image: Uint8Array;
  readonly kernel: Kernel;
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
  readonly tamperedSlot: number;
  readonly tamperedRejected: boolean;
  readonly replicated: StoreResult;
  readonly replicateExact: boolean;
  readonly storeMs: number;
  readonly retrieveMs: number;
  readonly exactPixels: RgbaImage;
  readonly degradedPixels: RgbaImage;
}

/** Short waits for what is known to be gone, so the demo does not idle. */
const GONE_TIMEOUT_MS = 4000;

/**
 * The product end to end on one chain: deploy; storage nodes opt in and form a community; a user
 * stores a photograph; the uploader's node goes away; a reader on a node that never saw the upload
 * gets it back bit-exactly from the community; a tampered copy is refused; a node goes down and the
 * image still comes back, approximately, with its PSNR; and the classic way, full replication.
 */
export async function runDemo(connection: NetworkConnection, options: DemoOptions): Promise<DemoOutcome> {
  const { say, kernel } = options;
  const size = kernel.height * kernel.width;
  say(
    `deploying the registry and starting ${size} storage nodes (embedded IPFS on 127.0.0.1, each with its agent)`,
  );
  const world = await startWorld(connection, { directory: options.directory, communitySize: size });
  try {
    return await scenario(world, options);
  } finally {
    await world.stop();
  }
}

async function scenario(world: World, options: DemoOptions): Promise<DemoOutcome> {
  const { say, onProgress } = options;
  const [owner, reader] = world.users;
  if (owner === undefined || reader === undefined) throw new Error("the network needs more accounts");
  say(
    `community ${world.communityId} formed: ${world.nodes.map((node) => node.account.address.slice(0, 10)).join(", ")}`,
  );

  const uploaderIpfs = await world.startIpfs("uploader");
  const ownerClient = world.client(owner, uploaderIpfs);
  let started = performance.now();
  const stored = await storeImage(
    ownerClient,
    options.image,
    { mode: "disp", communityId: world.communityId },
    { kernel: options.kernel, onProgress },
  );
  const storeMs = performance.now() - started;
  say(
    `stored image ${imageIdHex(stored.imageId)} (${stored.codec} codec${stored.fallback ? `, fell back: ${stored.fallback.reason}` : ""}): every slot confirmed on chain in ${Math.round(storeMs)} ms`,
  );
  const fragments = await Promise.all(stored.parts.map((part) => uploaderIpfs.cat(CID.parse(part.cid))));
  await changeAccess(ownerClient, "grant-read", stored.imageId, reader.address);
  say(`read access granted to ${reader.address} (advisory until fragments are encrypted)`);
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
    { onProgress },
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
  const downSlot = 0;
  const downNode = world.nodes[downSlot];
  if (downNode === undefined) throw new Error("no node to stop");
  await world.stopNode(downNode);
  say(`storage node of slot ${downSlot} is down`);
  const degraded = await retrieveImage(
    world.client(reader, await world.startIpfs("reader-3")),
    stored.imageId,
    {
      timeoutMs: GONE_TIMEOUT_MS,
      onProgress,
    },
  );
  const exactPixels = await exact.pixels();
  const degradedPixels = await degraded.pixels();
  const degradedPsnrDb = psnr(exactPixels, degradedPixels);
  say(
    `approximate recovery without slot ${downSlot}: missing ${JSON.stringify(degraded.missing)}, ${degraded.estimatedPixels} pixels estimated, PSNR ${degradedPsnrDb.toFixed(2)} dB`,
  );

  return {
    stored,
    fragments,
    exact,
    degraded,
    degradedPsnrDb,
    tamperedSlot,
    tamperedRejected,
    replicated,
    replicateExact,
    storeMs,
    retrieveMs,
    exactPixels,
    degradedPixels,
  };
}

/**
 * One storage node's copy of its fragment is tampered with on disk. A reader must never use it:
 * bitswap refuses blocks that do not hash to their CID, so the fragment counts as missing and the
 * image comes back approximate, never wrongly "exact"; and the registry itself refuses the tampered
 * file's leaf. The copy is restored afterwards.
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
  const unused = result.missing.includes(slot) && !result.exact;
  // The node was up and reachable all along: its copy was refused because it is not the fragment.
  const reachable = !result.unreachable.some((entry) => entry.node === node.account.address);
  options.say(
    `tampered fragment ${slot}: ${unused ? "never used" : "USED"} (reader: missing ${JSON.stringify(result.missing)}, rejected ${JSON.stringify(result.rejected.map((r) => r.index))}); ` +
      `the node's own copy ${ownCopyRefused ? "fails its CID" : "PASSES its CID"}; its leaf ${acceptedOnChain ? "ACCEPTED" : "refused"} by the registry's verifyFragment`,
  );
  return unused && reachable && ownCopyRefused && !acceptedOnChain;
}
