import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { isDispError } from "@disp/core";
import { expect } from "chai";
import { network } from "hardhat";

import { startWorld, type World } from "../../tasks/lib/world.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures");

export function fixture(name: string): Promise<Uint8Array> {
  return readFile(join(FIXTURES, name));
}

/** A fresh chain, registry, community of `size` storage nodes with agents, and temp directory. */
export async function testWorld(size = 4): Promise<{ world: World; close: () => Promise<void> }> {
  const directory = await tempDir("flow");
  const connection = await network.create();
  const world = await startWorld(connection, { directory, communitySize: size, fetchTimeoutMs: 5000 });
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
