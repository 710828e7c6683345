import {
  MANIFEST_LEAF_INDEX,
  answerChallenge,
  buildTree,
  proofFor,
  segmentTree,
  sha256Hex,
  shardCommitment,
  type DispMerkleTree,
  type Hex32,
} from "@disp/protocol";
import { pseudoRandomBytes } from "@disp/devkit/random";
import type { Wallet } from "ethers";
import { network } from "hardhat";

import DispModule from "../deploy/modules/Disp.js";

// Gas of the storage challenges on a 4+2 community whose slot-0 shard is 2 MiB (8192 segments of
// 256 B: segment proofs of depth 13). Every figure is a steady-state call (the node's record, the
// epoch's counter and the version's copied root already written once) unless its name says first.
// Last stdout line: one JSON object.

const EPOCH_BLOCKS = 40n;
const SHARDS = 6;
const SHARD_BYTES = 2 * 1024 * 1024;
const BATCH = 8;

const { ethers, ignition, networkHelpers } = await network.create();
const [admin, user] = await ethers.getSigners();
if (admin === undefined || user === undefined) throw new Error("the in-process network provides 20 accounts");

const deployed = await ignition.deploy(DispModule, {
  displayUi: false,
  parameters: { Disp: { epochBlocks: EPOCH_BLOCKS, responseWindow: 30n } },
});
const registry = await ethers.getContractAt("DispRegistry", await deployed.registry.getAddress());
const challenges = await ethers.getContractAt("StorageChallenges", await deployed.challenges.getAddress());

interface SentTx {
  readonly data: string;
  wait(): Promise<{ gasUsed: bigint } | null>;
}
const gasOf = async (tx: Promise<SentTx>): Promise<number> => {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
};
// Calldata tokens: a zero byte is one, any other byte four. A transaction pays 21,000 + 4 gas a
// token + its execution, and at least 21,000 + 10 gas a token (EIP-7623, Prague).
const calldataTokensOf = async (tx: Promise<SentTx>): Promise<number> => {
  const bytes = ethers.getBytes((await tx).data);
  const zeros = bytes.filter((byte) => byte === 0).length;
  return zeros + 4 * (bytes.length - zeros);
};

const nodes: Wallet[] = [];
for (let i = 0; i < SHARDS; i++) {
  const node = new ethers.Wallet(ethers.hexlify(ethers.randomBytes(32)), ethers.provider);
  await (await admin.sendTransaction({ to: node.address, value: ethers.parseEther("1") })).wait();
  await (await registry.connect(node).optIn(`12D3KooWProofBench${i}`, [], "0x")).wait();
  nodes.push(node);
}
await (await registry.formCommunity(SHARDS)).wait();
await (await registry.setUploader(1n, user.address, true)).wait();
const [node] = nodes;
if (node === undefined) throw new Error("no node");

// Slot 0's shard is 2 MiB of real bytes; the others only need leaves. Versions differ by their
// manifest leaf, so the same shard is challenged at other segments in every version.
const shard = pseudoRandomBytes(SHARD_BYTES, 1);
const started = performance.now();
const segments = segmentTree(shard);
const segmentTreeMs = performance.now() - started;
const digest0 = shardCommitment(sha256Hex(shard), shard.length, segments.root as Hex32);
const treeOf = (version: number): DispMerkleTree =>
  buildTree([
    [0n, digest0],
    ...Array.from({ length: SHARDS - 1 }, (_, i): [bigint, string] => [
      BigInt(i + 1),
      ethers.id(`shard ${i + 1}`),
    ]),
    [MANIFEST_LEAF_INDEX, ethers.id(`manifest ${version}`)],
  ]);

const VERSIONS = 2 + BATCH;
const trees = Array.from({ length: VERSIONS }, (_, i) => treeOf(i + 1));
const cid = ethers.concat(["0x01551220", ethers.sha256("0x01")]);
const first = trees[0];
if (first === undefined) throw new Error("no tree");
const imageId = await registry.imageIdOf(user.address, first.root);
await (await registry.connect(user).registerImage(1n, SHARDS, first.root, cid)).wait();
for (const tree of trees.slice(1))
  await (await registry.connect(user).addVersion(imageId, tree.root, cid)).wait();
for (let v = 1; v <= VERSIONS; v++) await (await registry.connect(node).confirmStorage(imageId, v)).wait();

const openNext = async (): Promise<{ epoch: bigint; seed: Hex32; gas: number }> => {
  const block = BigInt(await ethers.provider.getBlockNumber());
  await networkHelpers.mineUpTo((block / EPOCH_BLOCKS + 1n) * EPOCH_BLOCKS);
  const gas = await gasOf(challenges.openEpoch());
  const epoch = await challenges.currentEpoch();
  return { epoch, seed: (await challenges.epochSeed(epoch)) as Hex32, gas };
};
const challengeVersion = (version: number) =>
  gasOf(
    challenges.challenge(
      imageId,
      version,
      sha256Hex(shard),
      shard.length,
      segments.root,
      proofFor(trees[version - 1] ?? first, 0),
    ),
  );
const answer = (seed: Hex32, version: number) => {
  const a = answerChallenge({
    seed,
    imageId,
    version: BigInt(version),
    shard: 0,
    bytes: shard,
    versionTree: trees[version - 1] ?? first,
  });
  return { ...a, segmentProof: [...a.segmentProof], leafProof: [...a.leafProof] };
};

// Epoch A: the first challenges copy each version's root, and the first proof writes the node's
// record; the second proof is the steady-state one.
const a = await openNext();
await challengeVersion(1);
const firstChallengeOfAVersion = await challengeVersion(2);
const firstProof = await gasOf(challenges.connect(node).prove(a.epoch, answer(a.seed, 1)));
const proveOneTx = challenges.connect(node).prove(a.epoch, answer(a.seed, 2));
const proveOne = await gasOf(proveOneTx);
const proveOneTokens = await calldataTokensOf(proveOneTx);

// Epoch B: eight versions answered in one transaction.
const b = await openNext();
for (let v = 3; v <= VERSIONS; v++) await challengeVersion(v);
const batch = Array.from({ length: BATCH }, (_, i) => answer(b.seed, 3 + i));
const proveBatchTx = challenges.connect(node).proveBatch(b.epoch, batch);
const proveBatch8 = await gasOf(proveBatchTx);
const proveBatch8Floor = 21_000 + 10 * (await calldataTokensOf(proveBatchTx));

// Epoch C: versions challenged before (their roots already copied), the first one writing the
// epoch's counter; then a miss recorded by anyone (slot 1's node confirmed and did not answer).
const c = await openNext();
await (await registry.connect(nodes[1] ?? node).confirmStorage(imageId, 1)).wait();
const firstChallenge = await challengeVersion(1);
const steadyChallenge = await challengeVersion(2);
await networkHelpers.mine(31);
const recordMiss = await gasOf(challenges.recordMiss(c.epoch, imageId, 1, 1));

const perProofBatched = Math.round(proveBatch8 / BATCH);
const days = 30;
const result = {
  shardBytes: SHARD_BYTES,
  segmentProofDepth: Math.ceil(Math.log2(SHARD_BYTES / 256)),
  proveOne,
  proveOneGoal: 60_000,
  // What the contract's code decides: proveOne less the base and its calldata (the random segment
  // and hashes move the calldata by a few dozen gas between runs).
  proveOneExecution: proveOne - 21_000 - 4 * proveOneTokens,
  proveOneCalldataFloor: 21_000 + 10 * proveOneTokens,
  firstProofOfANode: firstProof,
  proveBatch8,
  proveBatch8PerProof: perProofBatched,
  proveBatch8CalldataFloorPerProof: Math.round(proveBatch8Floor / BATCH),
  batchVsOne: Number((perProofBatched / proveOne).toFixed(3)),
  openEpoch: a.gas,
  challengeVersion: steadyChallenge,
  firstChallengeOfAnEpoch: firstChallenge,
  firstChallengeOfAVersion,
  recordMiss,
  // One 4+2 image, one challenge of each of its 6 shards a day; the epoch's opening is shared by
  // every image it challenges and left out.
  monthlyGasOneImage: days * (steadyChallenge + SHARDS * proveOne),
  monthlyGasOneImageBatched: days * (steadyChallenge + SHARDS * perProofBatched),
  segmentTreeMs2MiB: Math.round(segmentTreeMs),
};
console.log(JSON.stringify(result));
