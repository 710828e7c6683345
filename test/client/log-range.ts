import { readFile } from "node:fs/promises";
import { join } from "node:path";

import {
  connectRegistry,
  imageHistory,
  retrieveImage,
  replaceMember,
  storeImage,
  updateImage,
  verifyImage,
  type ClientContext,
} from "@disp/client";
import { startWorld, type World } from "@disp/devkit";
import { sha256Hex } from "@disp/protocol";
import { expect } from "chai";
import { JsonRpcProvider, JsonRpcSigner } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { fixture, variant } from "../flow/support.js";
import { removeDir, tempDir } from "../ipfs/support/files.js";
import { LOG_RANGE_ERROR_CODE, startLogRangeFront, type LogRangeFront } from "./support/log-range-front.js";

/** What the front allows, and how far the chain grows past it before the client's work starts. */
const CAP = 5000;
const MINED = 6000;
const AGENT_RANGE = 1000;

/**
 * Issue 14 item 3: behind a JSON-RPC provider that refuses `eth_getLogs` over more than 5,000
 * blocks, with more blocks than that between the registry's deployment and the head, store,
 * retrieve (every version), history and an agent joining its community late all still work: a
 * version's event is read in its recorded block, every other scan is paged.
 */
describe("behind a provider capping eth_getLogs at 5,000 blocks, after 6,000 more blocks", function () {
  this.timeout(300_000);
  let connection: NetworkConnection;
  // The owner's client and the agents reach the chain through fronts of their own, so the owner's
  // queries are counted alone.
  let front: LogRangeFront;
  let provider: JsonRpcProvider;
  let agentsFront: LogRangeFront;
  let agentsProvider: JsonRpcProvider;
  let directory: string;
  let world: World;
  let owner: ClientContext;
  let first: bigint;
  let secondId: bigint;
  let firstBytes: Uint8Array;
  const stored: { node: number; imageId: string; version: string }[] = [];

  before(async function () {
    directory = await tempDir("log-range");
    connection = await network.create();
    front = await startLogRangeFront(connection.provider, CAP);
    provider = providerOf(front);
    agentsFront = await startLogRangeFront(connection.provider, CAP);
    agentsProvider = providerOf(agentsFront);
    world = await startWorld(connection, {
      directory,
      communitySize: 4,
      fetchTimeoutMs: 10_000,
      // The manager and every agent reach the chain through the front only, in pages of 1,000
      // blocks: an agent's pass reads 4 pages, so catching up on 6,000 blocks takes it two passes.
      connectAs: (address, account) =>
        connectRegistry(address, new JsonRpcSigner(agentsProvider, account.address), {
          maxLogRange: AGENT_RANGE,
        }),
      onAgentEvent: (node, event) => {
        if (event.type === "stored")
          stored.push({ node, imageId: event.task.imageId, version: event.task.version });
      },
    });
    const [user] = world.users;
    if (user === undefined) throw new Error("no user account");
    owner = {
      registry: connectRegistry(world.registryAddress, new JsonRpcSigner(provider, user.address)),
      ipfs: await world.startIpfs("owner"),
      fromBlock: world.fromBlock,
    };
    firstBytes = await fixture("rocket.jpg");
    // Public: the counts are of the read path; a private one adds the envelope's log, in its block.
    ({ imageId: first } = await storeImage(
      owner,
      firstBytes,
      { mode: "disp", communityId: world.communityId },
      { visibility: "public" },
    ));
    await connection.provider.request({ method: "hardhat_mine", params: [`0x${MINED.toString(16)}`] });
  });

  after(async function () {
    await world.stop();
    provider.destroy();
    agentsProvider.destroy();
    await front.close();
    await agentsFront.close();
    await connection.close();
    await removeDir(directory);
  });

  it("the front refuses one query from the deployment to the head, as the old scans sent", async function () {
    const head = await provider.getBlockNumber();
    expect(head - world.fromBlock).to.be.greaterThan(CAP);
    const refused = await provider
      .send("eth_getLogs", [{ address: world.registryAddress, fromBlock: "earliest", toBlock: "latest" }])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(JSON.stringify(refused)).to.include(`query exceeds max block range ${CAP}`);
    expect(JSON.stringify(refused)).to.include(String(LOG_RANGE_ERROR_CODE));
    const atCap = await provider.send("eth_getLogs", [
      { address: world.registryAddress, fromBlock: `0x${(head - CAP + 1).toString(16)}`, toBlock: "latest" },
    ]);
    expect(atCap).to.be.an("array");
  });

  it("retrieves the image stored before the blocks with one eth_getLogs, in the version's block", async function () {
    front.reset();
    const result = await retrieveImage(owner, first);
    expect(result.exact).to.equal(true);
    expect(sha256Hex(result.bytes)).to.equal(sha256Hex(firstBytes));
    expect(front.counts()).to.deep.equal({ served: 1, refused: 0 });
  });

  it("verifies the image stored before the blocks: receipts from the registry's state, one eth_getLogs", async function () {
    front.reset();
    const report = await verifyImage(owner, first);
    expect(report.ok).to.equal(true);
    expect(report.slots.map((slot) => slot.confirmed && slot.status === "held")).to.deep.equal(
      world.nodes.map(() => true),
    );
    expect(front.counts()).to.deep.equal({ served: 1, refused: 0 });
  });

  it("stores a new image and a new version, every agent confirming", async function () {
    const png = await variant(new Uint8Array(await fixture("astronaut.png")), 7);
    const second = await storeImage(
      owner,
      png,
      { mode: "disp", communityId: world.communityId },
      { visibility: "public" },
    );
    expect(second.version).to.equal(1n);
    secondId = second.imageId;
    const updated = await updateImage(owner, first, png);
    expect(updated.version).to.equal(2n);
    expect(front.counts().refused).to.equal(0);
  });

  it("retrieves version 1 after version 2 by walking back one block per version", async function () {
    front.reset();
    const v1 = await retrieveImage(owner, first, { version: 1n });
    expect(sha256Hex(v1.bytes)).to.equal(sha256Hex(firstBytes));
    // Version 2's event (in imageInfo's block) names version 1's block: two single-block queries.
    expect(front.counts()).to.deep.equal({ served: 2, refused: 0 });
  });

  it("lists the whole history in pages back to the registration", async function () {
    front.reset();
    const history = await imageHistory(owner, first);
    const head = await provider.getBlockNumber();
    const versions = history.filter(
      (entry) => entry.event === "ImageRegistered" || entry.event === "VersionAdded",
    );
    expect(versions.map((entry) => entry.version)).to.deep.equal([1, 2]);
    const { served, refused } = front.counts();
    expect(refused).to.equal(0);
    // One query per page of maxLogRange blocks from the head back to the registration.
    const registered = versions[0]?.blockNumber ?? 0;
    expect(served).to.be.within(2, Math.ceil((head - registered + 1) / owner.registry.maxLogRange));
  });

  it("lets a node joining the community late keep its slot for everything stored before", async function () {
    const newcomer = await world.addNode();
    const index = world.nodes.indexOf(newcomer);
    await replaceMember(world, world.communityId, 0);
    const expected = [`${first}:1`, `${first}:2`, `${secondId}:1`];
    const deadline = Date.now() + 60_000;
    const done = () =>
      expected.every((key) =>
        stored.some((entry) => entry.node === index && `${entry.imageId}:${entry.version}` === key),
      );
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      done(),
      `stored by the newcomer: ${JSON.stringify(stored.filter((entry) => entry.node === index))}`,
    ).to.equal(true);
    expect(agentsFront.counts().refused).to.equal(0);
    // It read its community's earlier images backward to the formation block, pages kept in its state.
    const state = JSON.parse(await readFile(join(newcomer.directory, "agent.json"), "utf8")) as {
      backfill?: { communityId: string; slot: number; from: number; next: number };
    };
    expect(state.backfill).to.deep.include({ communityId: world.communityId.toString(), slot: 0 });
    expect(state.backfill?.next).to.be.below(state.backfill?.from ?? 0);
  });
});

function providerOf(front: LogRangeFront): JsonRpcProvider {
  return new JsonRpcProvider(front.url, undefined, {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
}
