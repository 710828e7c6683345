/**
 * The privacy benchmark behind `pnpm bench:private`: a photograph stored and read private (fragments
 * encrypted, content key wrapped and published with the registration, decrypted by the reader)
 * against the same photograph public, in one run on the same six storage nodes (4+2). Times as in
 * bench:flow: store from the call to the last storage receipt, retrieve to the verified file.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import { removeDirectory, round, storeThenRetrieve, type Say } from "./bench-flow.js";
import { startWorld } from "./world.js";

const NODES = 6;
/** Issue 16's goal: a private store and retrieve at most this many times the public one's time. */
const MAX_RATIO = 1.2;

export async function benchPrivate(connection: NetworkConnection, image: Uint8Array, say: Say) {
  const directory = await mkdtemp(join(tmpdir(), "disp-bench-private-"));
  try {
    say(`deploying and starting ${NODES} storage nodes with their agents (source ${image.length} bytes)`);
    const world = await startWorld(connection, { directory, communitySize: NODES });
    try {
      const target = { mode: "disp", communityId: world.communityId } as const;
      // Public first, then private: a warm-up of neither favours the private side.
      const open = await storeThenRetrieve(world, image, target, say, "public");
      const sealed = await storeThenRetrieve(world, image, target, say, "private");
      const storeRatio = sealed.store.ms / open.store.ms;
      const retrieveRatio = sealed.retrieve.ms / open.retrieve.ms;
      return {
        privateStoreMs: Math.round(sealed.store.ms),
        privateRetrieveMs: Math.round(sealed.retrieve.ms),
        publicStoreMs: Math.round(open.store.ms),
        publicRetrieveMs: Math.round(open.retrieve.ms),
        storeRatio: round(storeRatio),
        retrieveRatio: round(retrieveRatio),
        goalMet: storeRatio <= MAX_RATIO && retrieveRatio <= MAX_RATIO,
        privateStoredBytes: sealed.store.value.storedBytes,
        publicStoredBytes: open.store.value.storedBytes,
        codec: sealed.store.value.codec,
        parity: sealed.store.value.parity,
        sourceBytes: image.length,
        exact: sealed.exact && open.exact,
        privateStorePhasesMs: sealed.store.phases,
        privateRetrievePhasesMs: sealed.retrieve.phases,
        publicStorePhasesMs: open.store.phases,
        publicRetrievePhasesMs: open.retrieve.phases,
      };
    } finally {
      await world.stop();
    }
  } finally {
    await removeDirectory(directory);
  }
}

export type PrivateBenchResult = Awaited<ReturnType<typeof benchPrivate>>;
