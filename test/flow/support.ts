import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { isDispError } from "@disp/protocol";
import { chooseColorType, decodeImage, encodePng } from "@disp/core";
import { startWorld, type World, type WorldOptions } from "@disp/devkit";
import { expect } from "chai";
import { network } from "hardhat";

import type { NetworkConnection } from "hardhat/types/network";

import { removeDir, tempDir } from "../ipfs/support/files.js";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures");

export function fixture(name: string): Promise<Uint8Array> {
  return readFile(join(FIXTURES, name));
}

/**
 * `png` with its first pixel's red channel set to `n`: another image, so another root and another
 * image id (an account cannot register the same content twice; ids derive from owner and root).
 */
export async function variant(png: Uint8Array, n: number): Promise<Uint8Array> {
  const image = await decodeImage(png);
  const data = new Uint8Array(image.data);
  data[0] = n & 0xff;
  const pixels = { width: image.width, height: image.height, data };
  return encodePng(pixels, { colorType: chooseColorType(pixels), filter: "up", deflateLevel: 6 });
}

/** The chain connection of each test world, for what a test reads from the contract directly. */
const connections = new WeakMap<World, NetworkConnection>();

/** How many images the registry has registered so far (ids are not sequential: count the events). */
export async function registeredImages(world: World): Promise<bigint[]> {
  const connection = connections.get(world);
  if (connection === undefined) throw new Error("not a test world");
  const registry = await connection.ethers.getContractAt("DispRegistry", world.registryAddress);
  const logs = await registry.queryFilter(registry.filters.ImageRegistered());
  return logs.map((log) => log.args.imageId);
}

/** Whether `node` has signed a storage receipt for the version. */
export async function confirmedBy(
  world: World,
  imageId: bigint,
  version: bigint,
  node: string,
): Promise<boolean> {
  const receipts = await world.registry.storageReceipts(imageId, version);
  return receipts.some((receipt) => receipt.node.toLowerCase() === node.toLowerCase());
}

/**
 * Polls `condition` until it holds. The agents work in the background at their own pace, so the
 * wait is generous (a busy CI machine runs several of their passes slowly); on a timeout the
 * failure carries `trail()` (say, the agent events seen), so the cause is in the report.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  { timeoutMs = 90_000, trail }: { timeoutMs?: number; trail?: () => readonly unknown[] } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const seen = trail?.() ?? [];
      expect.fail(
        `condition not reached in ${timeoutMs} ms` +
          (seen.length === 0
            ? ""
            : `; last events:\n${seen
                .slice(-40)
                .map((e) => JSON.stringify(e))
                .join("\n")}`),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A fresh chain, registry, community of `size` storage nodes with agents, and temp directory; every
 * user may store on the community. `options` override the world's settings (the agents', say).
 */
export async function testWorld(
  size = 4,
  options: Partial<Omit<WorldOptions, "directory" | "communitySize">> = {},
): Promise<{ world: World; close: () => Promise<void> }> {
  const directory = await tempDir("flow");
  const connection = await network.create();
  let world: World;
  try {
    world = await startWorld(connection, {
      directory,
      communitySize: size,
      fetchTimeoutMs: 5000,
      ...options,
    });
  } catch (error) {
    // startWorld stopped what it started; leave nothing else behind for the next file's tests.
    await connection.close();
    await removeDir(directory);
    throw error;
  }
  connections.set(world, connection);
  return {
    world,
    close: async () => {
      await world.stop();
      await connection.close();
      await removeDir(directory);
    },
  };
}

/** Awaits `promise` and asserts it fails with a DispError of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(isDispError(error), `expected a DispError ${code}, got ${String(error)}`).to.equal(true);
    expect((error as { code: string }).code).to.equal(code);
    return error as Error;
  }
  expect.fail(`expected a failure with ${code}`);
}
