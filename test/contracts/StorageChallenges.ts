import { expect } from "chai";
import { network } from "hardhat";

import { answerChallenge, openSegment, proofFor, segmentRoot, segmentTree, type Hex32 } from "@disp/protocol";

import { at } from "./helpers.js";
import {
  EPOCH_BLOCKS,
  answerOf,
  MAX_CHALLENGES_PER_EPOCH,
  RESPONSE_WINDOW,
  challenge,
  challengeFixtures,
  shardedVersion,
} from "./challenge-fixtures.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { loadFixture, mine, mineUpTo } = networkHelpers;
const { deployFixture, challengedFixture } = challengeFixtures(connection);

/** Mines to the first block of the next epoch. */
async function nextEpoch(): Promise<void> {
  const block = BigInt(await ethers.provider.getBlockNumber());
  await mineUpTo((block / EPOCH_BLOCKS + 1n) * EPOCH_BLOCKS);
}

describe("StorageChallenges", function () {
  describe("openEpoch", function () {
    it("draws the epoch's seed once and emits EpochOpened", async function () {
      const { challenges } = await loadFixture(deployFixture);
      await nextEpoch();
      const epoch = await challenges.currentEpoch();
      await expect(challenges.openEpoch()).to.emit(challenges, "EpochOpened");
      expect(await challenges.epochSeed(epoch)).to.not.equal(ethers.ZeroHash);
      await expect(challenges.openEpoch())
        .to.be.revertedWithCustomError(challenges, "StorageChallengesEpochAlreadyOpen")
        .withArgs(epoch);
    });
  });

  describe("challenge", function () {
    it("reverts before the epoch is open", async function () {
      const fixture = await loadFixture(deployFixture);
      await nextEpoch();
      await expect(challenge(fixture, fixture.imageId, fixture.version))
        .to.be.revertedWithCustomError(fixture.challenges, "StorageChallengesEpochNotOpen")
        .withArgs(await fixture.challenges.currentEpoch());
    });

    it("challenges every slot until the window closes, once per epoch", async function () {
      const fixture = await loadFixture(deployFixture);
      const { challenges, imageId, version } = fixture;
      await nextEpoch();
      await (await challenges.openEpoch()).wait();
      const epoch = await challenges.currentEpoch();
      const deadline = BigInt(await ethers.provider.getBlockNumber()) + 1n + RESPONSE_WINDOW;
      await expect(challenge(fixture, imageId, version))
        .to.emit(challenges, "VersionChallenged")
        .withArgs(epoch, imageId, 1n, 1n, deadline);
      const open = await challenges.challengeOf(epoch, imageId, 1);
      expect([open.deadline, open.shards, open.communityId, open.answered]).to.deep.equal([
        deadline,
        4n,
        1n,
        0n,
      ]);
      await expect(challenge(fixture, imageId, version))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesAlreadyChallenged")
        .withArgs(epoch, imageId, 1n);
    });

    it("refuses a version without segment roots and a replicated image", async function () {
      const fixture = await loadFixture(deployFixture);
      const { challenges, plainImage, replicatedImage, version } = fixture;
      await nextEpoch();
      await (await challenges.openEpoch()).wait();
      await expect(challenge(fixture, plainImage, version))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesNoSegmentCommitment")
        .withArgs(plainImage, 1n);
      await expect(challenge(fixture, replicatedImage, version))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesNotCommunityImage")
        .withArgs(replicatedImage);
    });

    it(`stops at MAX_CHALLENGES_PER_EPOCH (${MAX_CHALLENGES_PER_EPOCH}) versions`, async function () {
      const fixture = await loadFixture(deployFixture);
      const { registry, challenges, owner, imageId, version } = fixture;
      for (const label of [2, 3, 4]) {
        const next = shardedVersion(label);
        await (
          await registry.connect(owner).addVersion(imageId, next.tree.root, ethers.id(`${label}`))
        ).wait();
      }
      await nextEpoch();
      await (await challenges.openEpoch()).wait();
      const epoch = await challenges.currentEpoch();
      await (await challenge(fixture, imageId, version)).wait();
      for (const label of [2, 3]) {
        const next = shardedVersion(label);
        const shard = at(next.shards, 0);
        await (
          await challenges.challenge(
            imageId,
            label,
            ethers.sha256(shard),
            shard.length,
            segmentRoot(shard),
            proofFor(next.tree, 0),
          )
        ).wait();
      }
      await expect(challenges.challenge(imageId, 4, ethers.ZeroHash, 0, ethers.ZeroHash, []))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesEpochFull")
        .withArgs(epoch);
    });

    it("refuses a version the seed does not sample", async function () {
      const { registry, imageId } = await loadFixture(deployFixture);
      const sparse = await ethers.deployContract("StorageChallenges", [registry, EPOCH_BLOCKS, 5, 1, 10]);
      await nextEpoch();
      await (await sparse.openEpoch()).wait();
      const epoch = await sparse.currentEpoch();
      // One version in 10,000 is sampled: find a version number this seed skips.
      let version = 1n;
      while (await sparse.isSampled(epoch, imageId, version)) version++;
      await expect(sparse.challenge(imageId, version, ethers.ZeroHash, 0, ethers.ZeroHash, []))
        .to.be.revertedWithCustomError(sparse, "StorageChallengesNotSampled")
        .withArgs(epoch, imageId, version);
    });
  });

  describe("prove", function () {
    describe("when the slot's member answers with the challenged segment", function () {
      it("accepts it, counts it and emits ProofAccepted", async function () {
        const { challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
        for (const [slot, member] of members.entries()) {
          await expect(challenges.connect(member).prove(epoch, answer(slot)))
            .to.emit(challenges, "ProofAccepted")
            .withArgs(epoch, imageId, member.address, 1n, BigInt(slot));
          expect((await challenges.nodeRecord(member.address)).answered).to.equal(1n);
        }
        expect((await challenges.challengeOf(epoch, imageId, 1)).answered).to.equal(0b1111n);
      });
    });

    describe("when the answer is wrong", function () {
      it("reverts with StorageChallengesWrongSegment for altered bytes", async function () {
        const { challenges, members, epoch, answer } = await loadFixture(challengedFixture);
        const given = answer(3);
        const segment = Uint8Array.from(given.segment);
        segment[0] = (segment[0] ?? 0) ^ 0xff;
        await expect(challenges.connect(at(members, 3)).prove(epoch, { ...given, segment }))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesWrongSegment")
          .withArgs(given.segmentIndex);
      });

      it("reverts with StorageChallengesWrongSegmentIndex for another segment, even with its own proof", async function () {
        const { challenges, members, epoch, answer, version } = await loadFixture(challengedFixture);
        const given = answer(3);
        const other = (given.segmentIndex + 1) % 12;
        const shard = at(version.shards, 3);
        const opening = openSegment(segmentTree(shard), shard, other);
        await expect(
          challenges.connect(at(members, 3)).prove(epoch, {
            ...given,
            segmentIndex: other,
            segment: opening.segment,
            segmentProof: opening.proof,
          }),
        )
          .to.be.revertedWithCustomError(challenges, "StorageChallengesWrongSegmentIndex")
          .withArgs(BigInt(given.segmentIndex), BigInt(other));
      });

      it("reverts with StorageChallengesWrongSegmentLength for a padded or cut segment", async function () {
        const { challenges, members, epoch, answer } = await loadFixture(challengedFixture);
        const given = answer(0);
        const cut = given.segment.subarray(1);
        await expect(challenges.connect(at(members, 0)).prove(epoch, { ...given, segment: cut }))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesWrongSegmentLength")
          .withArgs(BigInt(given.segment.length), BigInt(cut.length));
      });

      it("reverts with StorageChallengesWrongLeaf for a proof of another shard", async function () {
        const { challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
        // Slot 2's member sends slot 1's (genuine) answer as its own.
        await expect(challenges.connect(at(members, 2)).prove(epoch, { ...answer(1), shard: 2 }))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesWrongLeaf")
          .withArgs(imageId, 1n, 2n);
      });

      it("reverts with StorageChallengesNotHolder for another account", async function () {
        const { challenges, stranger, epoch, answer } = await loadFixture(challengedFixture);
        await expect(challenges.connect(stranger).prove(epoch, answer(0)))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesNotHolder")
          .withArgs(1n, 0n, stranger.address);
      });

      it("reverts with StorageChallengesInvalidShard for a slot the image lacks", async function () {
        const { challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
        await expect(challenges.connect(at(members, 0)).prove(epoch, { ...answer(0), shard: 4 }))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesInvalidShard")
          .withArgs(imageId, 4n);
      });
    });

    describe("when the answer is late or repeated", function () {
      it("reverts with StorageChallengesLate after the window", async function () {
        const { challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
        const { deadline } = await challenges.challengeOf(epoch, imageId, 1);
        await mineUpTo(deadline);
        await expect(challenges.connect(at(members, 0)).prove(epoch, answer(0)))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesLate")
          .withArgs(epoch, imageId, 1n, deadline);
      });

      it("reverts with StorageChallengesAlreadySettled for a second answer", async function () {
        const { challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
        await (await challenges.connect(at(members, 1)).prove(epoch, answer(1))).wait();
        await expect(challenges.connect(at(members, 1)).prove(epoch, answer(1)))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesAlreadySettled")
          .withArgs(epoch, imageId, 1n, 1n);
      });

      it("reverts with StorageChallengesUnknownChallenge for a version not challenged", async function () {
        const { challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
        await expect(challenges.connect(at(members, 0)).prove(epoch + 1n, answer(0)))
          .to.be.revertedWithCustomError(challenges, "StorageChallengesUnknownChallenge")
          .withArgs(epoch + 1n, imageId, 1n);
      });
    });
  });

  describe("proveBatch", function () {
    it("answers all of a node's challenges in one transaction, or none", async function () {
      const fixture = await loadFixture(challengedFixture);
      const { challenges, registry, owner, members, epoch, imageId, seed } = fixture;
      const next = shardedVersion(2);
      await (await registry.connect(owner).addVersion(imageId, next.tree.root, ethers.id("v2"))).wait();
      await (await registry.connect(at(members, 0)).confirmStorage(imageId, 2)).wait();
      const first = at(next.shards, 0);
      await (
        await challenges.challenge(
          imageId,
          2,
          ethers.sha256(first),
          first.length,
          segmentRoot(first),
          proofFor(next.tree, 0),
        )
      ).wait();
      const second = answerOf(
        answerChallenge({ seed, imageId, version: 2n, shard: 0, bytes: first, versionTree: next.tree }),
      );
      const answers = [fixture.answer(0), second];
      const altered = { ...second, segment: second.segment.map((byte) => byte ^ 1) };
      await expect(
        challenges.connect(at(members, 0)).proveBatch(epoch, [fixture.answer(0), altered]),
      ).to.be.revertedWithCustomError(challenges, "StorageChallengesWrongSegment");
      await expect(challenges.connect(at(members, 0)).proveBatch(epoch, answers))
        .to.emit(challenges, "ProofAccepted")
        .withArgs(epoch, imageId, at(members, 0).address, 2n, 0n);
      expect((await challenges.nodeRecord(at(members, 0).address)).answered).to.equal(2n);
    });
  });

  describe("recordMiss", function () {
    it("reverts while the window is open", async function () {
      const { challenges, epoch, imageId } = await loadFixture(challengedFixture);
      const { deadline } = await challenges.challengeOf(epoch, imageId, 1);
      await expect(challenges.recordMiss(epoch, imageId, 1, 2))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesWindowOpen")
        .withArgs(epoch, imageId, 1n, deadline);
    });

    it("lets anyone record a miss once, counted against the slot's node", async function () {
      const { challenges, stranger, members, epoch, imageId } = await loadFixture(challengedFixture);
      await mine(RESPONSE_WINDOW + 1n);
      await expect(challenges.connect(stranger).recordMiss(epoch, imageId, 1, 2))
        .to.emit(challenges, "ProofMissed")
        .withArgs(epoch, imageId, at(members, 2).address, 1n, 2n)
        .and.to.not.emit(challenges, "RepairNeeded");
      const record = await challenges.nodeRecord(at(members, 2).address);
      expect([record.answered, record.missed, record.missesInARow]).to.deep.equal([0n, 1n, 1n]);
      await expect(challenges.recordMiss(epoch, imageId, 1, 2))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesAlreadySettled")
        .withArgs(epoch, imageId, 1n, 2n);
    });

    it("refuses a miss of an answered slot, and of a node that never confirmed", async function () {
      const { registry, challenges, members, epoch, imageId, answer } = await loadFixture(challengedFixture);
      await (await challenges.connect(at(members, 0)).prove(epoch, answer(0))).wait();
      // Slot 3's member is replaced: its successor has not confirmed, so it owes no proof yet.
      await (await registry.replaceMember(1, 3)).wait();
      await mine(RESPONSE_WINDOW + 1n);
      await expect(challenges.recordMiss(epoch, imageId, 1, 0))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesAlreadySettled")
        .withArgs(epoch, imageId, 1n, 0n);
      await expect(challenges.recordMiss(epoch, imageId, 1, 3))
        .to.be.revertedWithCustomError(challenges, "StorageChallengesNotConfirmed")
        .withArgs(imageId, 1n, 3n);
    });

    it("emits RepairNeeded after two misses in a row, and an answer ends the streak", async function () {
      const fixture = await loadFixture(challengedFixture);
      const { challenges, members, epoch, imageId, version } = fixture;
      await mine(RESPONSE_WINDOW + 1n);
      await (await challenges.recordMiss(epoch, imageId, 1, 2)).wait();
      await (await challenges.recordMiss(epoch, imageId, 1, 1)).wait();
      await nextEpoch();
      await (await challenges.openEpoch()).wait();
      const second = await challenges.currentEpoch();
      await (await challenge(fixture, imageId, version)).wait();
      const seed = (await challenges.epochSeed(second)) as Hex32;
      const slot1 = answerChallenge({
        seed,
        imageId,
        version: 1n,
        shard: 1,
        bytes: at(version.shards, 1),
        versionTree: version.tree,
      });
      await (await challenges.connect(at(members, 1)).prove(second, answerOf(slot1))).wait();
      await mine(RESPONSE_WINDOW + 1n);
      await expect(challenges.recordMiss(second, imageId, 1, 2))
        .to.emit(challenges, "RepairNeeded")
        .withArgs(1n, 2n, at(members, 2).address);
      expect((await challenges.nodeRecord(at(members, 1).address)).missesInARow).to.equal(0n);
      expect((await challenges.nodeRecord(at(members, 2).address)).missed).to.equal(2n);
    });
  });
});
