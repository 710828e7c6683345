import { rm } from "node:fs/promises";
import { join } from "node:path";

import {
  connectRegistry,
  isClientError,
  nodeRecords,
  proofHistory,
  storeImage,
  type ChainContext,
  type StoreResult,
} from "@disp/client";
import { embeddedBlockStore, startWorld, type World } from "@disp/devkit";
import { CID, createEmbeddedNode } from "@disp/ipfs";
import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import type { StorageChallenges } from "../../packages/client/src/typechain/index.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";
import {
  expectOneLineError,
  hardhat,
  lastJsonLine,
  startLocalChain,
  startUntil,
  stopProcesses,
  type LocalChain,
  type Started,
} from "../tasks/helpers.js";
import { challengeRounds, type ChallengeRounds } from "./challenge-rounds.js";
import { fixture } from "./support.js";

const ALL_SIX = 0b111111n;
const ROCKET = join(import.meta.dirname, "..", "fixtures", "rocket.jpg");
const CHEATER = 2;

/** Resolves to the ClientError code `work` fails with (fails the test if it succeeds). */
async function failureCode(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => expect.fail("expected a ClientError"),
    (caught: unknown) => caught,
  );
  if (!isClientError(error)) throw error;
  return error.code;
}

describe("node records on real nodes: what nodeRecords and proofHistory read from the chain", function () {
  this.timeout(600_000);
  let connection: NetworkConnection;
  let directory: string;
  let world: World;
  let context: ChainContext;
  let challenges: StorageChallenges;
  let stored: StoreResult;
  let rounds: ChallengeRounds;
  let firstEpoch: bigint;

  before(async function () {
    connection = await network.create();
    directory = await tempDir("node-records");
    world = await startWorld(connection, { directory, communitySize: 6, fetchTimeoutMs: 5000 });
    context = { registry: world.registry, fromBlock: world.fromBlock };
    challenges = await connection.ethers.getContractAt("StorageChallenges", world.challengesAddress);
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    const uploader = await world.startIpfs("uploader");
    stored = await storeImage(world.client(owner, uploader), await fixture("rocket.jpg"), {
      mode: "disp",
      communityId: world.communityId,
    });
    const manifestBytes = await uploader.cat(CID.parse(stored.manifestCid));
    await uploader.stop();
    rounds = challengeRounds(connection, challenges, stored.imageId, manifestBytes);
  });

  after(async function () {
    await world.stop();
    await connection.close();
    await removeDir(directory);
  });

  it("lists every node of the community after an honest epoch: one proof each, no miss", async function () {
    firstEpoch = await rounds.next();
    expect(await rounds.answered(firstEpoch, ALL_SIX)).to.equal(ALL_SIX);
    await rounds.closeWindow();
    const records = await nodeRecords(context, { challenges: world.challengesAddress });
    expect(records.truncated).to.equal(false);
    expect(records.fromBlock).to.be.at.least(world.fromBlock);
    expect(
      records.nodes.map((entry) => [entry.node, entry.status, entry.communityId, entry.slot]),
    ).to.deep.equal(
      world.nodes.map((node, slot) => [node.account.address, "serving", world.communityId, slot]),
    );
    for (const entry of records.nodes) {
      expect([entry.answered, entry.missed, entry.missesInARow]).to.deep.equal([1n, 0n, 0n]);
      expect(entry.lastProof?.epoch).to.equal(firstEpoch);
    }
  });

  it("records the miss of a node whose shard was deleted, and proofHistory lists it by node and by image", async function () {
    const cheater = world.nodes[CHEATER];
    if (cheater === undefined) throw new Error("no node in slot 2");
    await world.stopNode(cheater);
    await rm(embeddedBlockStore(cheater.directory), { recursive: true, force: true });
    await world.restartNode(cheater);
    const epoch = await rounds.next();
    await rounds.answered(epoch, ALL_SIX & ~(1n << BigInt(CHEATER)));
    await rounds.closeWindow();
    await (await challenges.recordMiss(epoch, stored.imageId, 1, CHEATER)).wait();

    const records = await nodeRecords(context, { challenges: world.challengesAddress });
    const record = records.nodes[CHEATER];
    expect([record?.node, record?.answered, record?.missed, record?.missesInARow]).to.deep.equal([
      cheater.account.address,
      1n,
      1n,
      1n,
    ]);
    expect(record?.lastProof?.epoch, "its last proof is the first epoch's").to.equal(firstEpoch);
    expect(records.nodes.filter((entry) => entry.missed > 0n)).to.have.length(1);

    const mine = await proofHistory(context, {
      challenges: world.challengesAddress,
      node: cheater.account.address,
    });
    expect(mine.events.map((event) => event.kind)).to.deep.equal(["proof", "miss"]);
    expect(mine.events[1]).to.deep.include({
      kind: "miss",
      epoch,
      imageId: stored.imageId,
      version: 1n,
      shard: CHEATER,
      node: cheater.account.address,
    });
    const image = await proofHistory(context, {
      challenges: world.challengesAddress,
      imageId: stored.imageId,
    });
    expect(image.events.filter((event) => event.kind === "proof")).to.have.length(11);
    expect(image.events.filter((event) => event.kind === "miss")).to.have.length(1);
  });

  it("reads the same events in pages of a provider's small log range, and keeps only the newest past maxEvents", async function () {
    const all = await proofHistory(context, {
      challenges: world.challengesAddress,
      fromBlock: world.fromBlock,
    });
    const paged = await proofHistory(
      { registry: connectRegistry(world.registryAddress, connection.ethers.provider, { maxLogRange: 1000 }) },
      { challenges: world.challengesAddress, fromBlock: world.fromBlock },
    );
    expect(paged.events).to.deep.equal(all.events);
    const newest = await proofHistory(context, { challenges: world.challengesAddress, maxEvents: 3 });
    expect(newest.truncated).to.equal(true);
    expect(newest.events).to.deep.equal(all.events.slice(-3));
  });

  it("refuses a bad address, an unknown node, another contract and uncapped counts with typed errors", async function () {
    const options = { challenges: world.challengesAddress };
    expect(await failureCode(proofHistory(context, { ...options, node: "0x1234" }))).to.equal(
      "CLIENT_INVALID_INPUT",
    );
    const stranger = world.users[5]?.address ?? "";
    expect(await failureCode(proofHistory(context, { ...options, node: stranger }))).to.equal(
      "CLIENT_NOT_A_NODE",
    );
    expect(await failureCode(nodeRecords(context, { challenges: world.registryAddress }))).to.equal(
      "CLIENT_NO_REGISTRY",
    );
    expect(await failureCode(nodeRecords(context, { ...options, maxNodes: 1_000_000 }))).to.equal(
      "CLIENT_INVALID_INPUT",
    );
    expect(await failureCode(proofHistory(context, { ...options, imageId: 12345n }))).to.equal(
      "CLIENT_UNKNOWN_IMAGE",
    );
    const capped = await nodeRecords(context, { ...options, maxNodes: 4 });
    expect([capped.nodes.length, capped.truncated]).to.deep.equal([4, true]);
  });
});

describe("disp:nodes and disp:history against a local chain with disp:devnet", function () {
  // Each `hardhat` run is a fresh process (about 16 s on a busy 2-core machine).
  this.timeout(600_000);
  const local = ["--network", "local"];
  let directory: string;
  let chain: LocalChain | undefined;
  let devnet: Started | undefined;
  let connection: NetworkConnection | undefined;

  before(async function () {
    directory = await tempDir("records-cli");
    chain = await startLocalChain();
    devnet = await startUntil(["disp:devnet", ...local, "--dir", join(directory, "devnet")], /serving/);
  });

  after(async function () {
    await connection?.close();
    await stopProcesses([devnet?.child]);
    await chain?.stop();
    await removeDir(directory);
  });

  /** Stores the rocket through disp:store and challenges it once, as a watcher would; the epoch. */
  async function storeAndChallenge(): Promise<{ imageId: string; epoch: bigint }> {
    const uploader = join(directory, "uploader");
    const run = await hardhat("disp:store", ...local, "--image", ROCKET, "--ipfs", uploader, "--json");
    expect(run.code, run.stderr).to.equal(0);
    const { imageId, manifestCid } = lastJsonLine(run.stdout) as { imageId: string; manifestCid: string };
    const ipfs = await createEmbeddedNode({ directory: uploader });
    const manifestBytes = await ipfs.cat(CID.parse(manifestCid)).finally(() => ipfs.stop());
    const address = /challenges (0x[0-9a-fA-F]{40})/.exec(devnet?.output() ?? "")?.[1];
    if (address === undefined)
      throw new Error(`disp:devnet named no challenge contract: ${devnet?.output()}`);
    connection = await network.create("local");
    const challenges = await connection.ethers.getContractAt("StorageChallenges", address);
    const rounds = challengeRounds(connection, challenges, BigInt(imageId), manifestBytes);
    const epoch = await rounds.next();
    // The devnet's agents answer it from their own block stores.
    expect(await rounds.answered(epoch, ALL_SIX)).to.equal(ALL_SIX);
    return { imageId, epoch };
  }

  it("prints every node's record and an image's and a node's proofs, and refuses a bad --node in one line", async function () {
    const { imageId, epoch } = await storeAndChallenge();
    const listed = await hardhat("disp:nodes", ...local, "--json");
    expect(listed.code, listed.stderr).to.equal(0);
    const { nodes } = lastJsonLine(listed.stdout) as {
      nodes: { node: string; status: string; slot: number; answered: string; missed: string }[];
    };
    expect(nodes.map((entry) => [entry.status, entry.slot, entry.answered, entry.missed])).to.deep.equal(
      [0, 1, 2, 3, 4, 5].map((slot) => ["serving", slot, "1", "0"]),
    );
    const table = await hardhat("disp:nodes", ...local);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^node\s+status\s+community\/slot\s+answered\s+missed\s+last proof$/m);
    expect(table.stdout).to.include(`epoch ${epoch} (block`);

    const image = await hardhat("disp:history", ...local, "--id", imageId, "--json");
    expect(image.code, image.stderr).to.equal(0);
    const lines = lastJsonLine(image.stdout) as { event: string; args: Record<string, string> }[];
    expect(lines[0]?.event).to.equal("ImageRegistered");
    // One proof a shard, in the order the agents answered.
    const proofs = lines.filter((line) => line.event === "ProofAccepted");
    expect(proofs.map((line) => line.args.epoch)).to.deep.equal(proofs.map(() => String(epoch)));
    expect(proofs.map((line) => Number(line.args.shard)).sort((a, b) => a - b)).to.deep.equal([
      0, 1, 2, 3, 4, 5,
    ]);

    const node = nodes[0]?.node ?? "";
    const history = await hardhat("disp:history", ...local, "--node", node);
    expect(history.code, history.stderr).to.equal(0);
    expect(history.stdout).to.match(/1 proofs, 0 misses, 0 repairs needed in blocks \d+-\d+ of 0x/);

    expect(
      expectOneLineError(await hardhat("disp:history", ...local, "--node", "bob"), "TASK_INPUT"),
    ).to.include("--node");
    const stranger = "0x000000000000000000000000000000000000dEaD";
    expect(
      expectOneLineError(await hardhat("disp:history", ...local, "--node", stranger), "CLIENT_NOT_A_NODE"),
    ).to.include(stranger);
  });
});
