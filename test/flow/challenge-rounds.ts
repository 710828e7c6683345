import { parseManifest } from "@disp/core";
import { buildTree, merkleValues, proofFor, shardEntries, type Hex32 } from "@disp/protocol";
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import type { StorageChallenges } from "../../packages/client/src/typechain/index.js";

/** The chain the rounds run on: the in-process network or a local `hardhat node`. */
export type Connection = Pick<NetworkConnection, "ethers" | "networkHelpers">;

/** Challenge rounds on one stored version 1: what the flow tests on storage proofs drive. */
export interface ChallengeRounds {
  /** Opens the next epoch and challenges the image's version 1 in it; returns the epoch. */
  next(): Promise<bigint>;
  /** Waits until the slots in `mask` have answered the epoch's challenge; returns the answered bits. */
  answered(epoch: bigint, mask: bigint): Promise<bigint>;
  /** Mines past the response window, after which misses may be recorded. */
  closeWindow(): Promise<void>;
}

export function challengeRounds(
  connection: Connection,
  challenges: StorageChallenges,
  imageId: bigint,
  manifestBytes: Uint8Array,
): ChallengeRounds {
  const { ethers, networkHelpers } = connection;
  return {
    async next() {
      const epochBlocks = await challenges.EPOCH_BLOCKS();
      const block = BigInt(await ethers.provider.getBlockNumber());
      await networkHelpers.mineUpTo((block / epochBlocks + 1n) * epochBlocks);
      await (await challenges.openEpoch()).wait();
      const manifest = parseManifest(manifestBytes);
      const [shard0] = shardEntries(manifest);
      const root0 = manifest.proofs?.roots[0];
      if (shard0 === undefined || root0 === undefined) throw new Error("the manifest has no segment roots");
      const tree = buildTree(merkleValues(manifest, manifestBytes));
      const proof = proofFor(tree, 0) as Hex32[];
      await (await challenges.challenge(imageId, 1, shard0.sha256, shard0.size, root0, proof)).wait();
      return challenges.currentEpoch();
    },
    async answered(epoch, mask) {
      for (let i = 0; i < 300; i++) {
        const state = await challenges.challengeOf(epoch, imageId, 1);
        if ((state.answered & mask) === mask) return state.answered;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect.fail(`the slots ${mask.toString(2)} did not all answer epoch ${epoch}`);
    },
    async closeWindow() {
      await networkHelpers.mine((await challenges.RESPONSE_WINDOW()) + 1n);
    },
  };
}
