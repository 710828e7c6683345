import {
  MANIFEST_LEAF_INDEX,
  answerChallenge,
  buildTree,
  proofFor,
  segmentRoot,
  sha256Hex,
  shardCommitment,
  type DispMerkleTree,
  type Hex32,
  type ShardAnswer,
} from "@disp/protocol";
import { pseudoRandomBytes } from "@disp/devkit/random";
import type { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import type { StorageChallenges } from "../../packages/client/src/typechain/index.js";
import { allowUploaders, namedSigners, nodeAccounts, optInAll, registeredImageId } from "./helpers.js";

type Connection = Awaited<ReturnType<typeof network.create<"generic">>>;

export const EPOCH_BLOCKS = 20n;
export const RESPONSE_WINDOW = 5n;
export const MAX_CHALLENGES_PER_EPOCH = 3n;

/** Shard lengths of the test version: segment counts 4, 3 (short last), 1 (exactly 256) and 12. */
const SHARD_LENGTHS = [1000, 600, 256, 3000];

/** A version of real shard bytes with segment roots, as addSegmentRoots would describe it. */
export interface ShardedVersion {
  readonly shards: Uint8Array[];
  readonly tree: DispMerkleTree;
}

export function shardedVersion(label: number): ShardedVersion {
  const shards = SHARD_LENGTHS.map((length, i) => pseudoRandomBytes(length, label * 10 + i));
  const values: [bigint, string][] = shards.map((bytes, i) => [
    BigInt(i),
    shardCommitment(sha256Hex(bytes), bytes.length, segmentRoot(bytes)),
  ]);
  values.push([MANIFEST_LEAF_INDEX, sha256Hex(pseudoRandomBytes(64, label))]);
  return { shards, tree: buildTree(values) };
}

/** The contract's Answer tuple for one shard. */
export function answerOf(answer: ShardAnswer) {
  return { ...answer, segmentProof: [...answer.segmentProof], leafProof: [...answer.leafProof] };
}

export function challengeFixtures({ ethers, ignition, networkHelpers }: Connection) {
  /**
   * Community 1 of 4 members keeping `imageId` (version 1 with segment roots, every slot
   * confirmed); `plainImage` on the same community without them; `replicatedImage` on a free
   * node. Epochs of 20 blocks, 5 blocks to answer, at most 3 versions per epoch.
   */
  async function deployFixture() {
    const { owner, stranger } = await namedSigners(ethers, ["admin", "owner", "stranger"]);
    const deployed = await ignition.deploy(DispModule, {
      parameters: {
        Disp: {
          epochBlocks: EPOCH_BLOCKS,
          responseWindow: RESPONSE_WINDOW,
          maxChallengesPerEpoch: MAX_CHALLENGES_PER_EPOCH,
        },
      },
    });
    const registry = await ethers.getContractAt("DispRegistry", deployed.registry);
    const challenges = await ethers.getContractAt("StorageChallenges", deployed.challenges);
    const nodes = await nodeAccounts(ethers, networkHelpers, 5);
    await optInAll(registry, nodes);
    await (await registry.formCommunity(4)).wait();
    await allowUploaders(registry, 1n, [owner]);
    const members = nodes.slice(0, 4);
    const cid = ethers.concat(["0x01551220", ethers.sha256("0x07")]);
    const asOwner = registry.connect(owner);
    const register = async (root: string) => {
      const id = await registeredImageId(registry, asOwner.registerImage(1, 4, root, cid));
      for (const member of members) await (await registry.connect(member).confirmStorage(id, 1)).wait();
      return id;
    };
    const version = shardedVersion(1);
    const imageId = await register(version.tree.root);
    const plain = buildTree([
      [0n, sha256Hex(version.shards[0] ?? new Uint8Array())],
      [MANIFEST_LEAF_INDEX, ethers.id("manifest")],
    ]);
    const plainImage = await register(plain.root);
    const replicatedImage = await registeredImageId(
      registry,
      asOwner.registerReplicatedImage([nodes[4]?.address ?? ""], ethers.id("replicated"), cid),
    );
    return {
      registry,
      challenges,
      owner,
      stranger,
      members,
      version,
      imageId,
      plainImage,
      plain,
      replicatedImage,
    };
  }

  /** The fixture with the current epoch open and `imageId` version 1 challenged in it. */
  async function challengedFixture() {
    const fixture = await deployFixture();
    const { challenges, imageId, version } = fixture;
    await networkHelpers.mineUpTo(
      (BigInt(await ethers.provider.getBlockNumber()) / EPOCH_BLOCKS + 1n) * EPOCH_BLOCKS,
    );
    await (await challenges.openEpoch()).wait();
    const epoch = await challenges.currentEpoch();
    await (await challenge(fixture, imageId, version)).wait();
    const seed = (await challenges.epochSeed(epoch)) as Hex32;
    const answer = (shard: number) =>
      answerOf(
        answerChallenge({
          seed,
          imageId,
          version: 1n,
          shard,
          bytes: version.shards[shard] ?? new Uint8Array(),
          versionTree: version.tree,
        }),
      );
    return { ...fixture, epoch, seed, answer };
  }

  return { deployFixture, challengedFixture };
}

/** challenge(imageId, 1, shard 0's committed values and leaf proof). */
export function challenge(
  fixture: { readonly challenges: StorageChallenges },
  imageId: bigint,
  version: ShardedVersion,
) {
  const shard = version.shards[0] ?? new Uint8Array();
  return fixture.challenges.challenge(
    imageId,
    1,
    sha256Hex(shard),
    shard.length,
    segmentRoot(shard),
    proofFor(version.tree, 0),
  );
}
