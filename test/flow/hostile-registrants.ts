import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { dialNodes, setUploader, storeImage, type AgentEvent, type ClientContext } from "@disp/client";
import { encodeImageFile, serializeManifest, type Manifest } from "@disp/core";
import { buildTree, computeCid, merkleValues } from "@disp/protocol";
import type { StorageNode, World } from "@disp/devkit";
import { expect } from "chai";
import { hexlify } from "ethers";

import { confirmedBy, expectCode, fixture, testWorld, variant } from "./support.js";

/** What a node agent's state file says of the tasks it gave up. */
interface SavedState {
  readonly pending: readonly { imageId: string }[];
  readonly quarantined: readonly { imageId: string; reason: string; code?: string; attempts: number }[];
  readonly usage: Readonly<Record<string, number>>;
}

async function savedState(node: StorageNode): Promise<SavedState> {
  return JSON.parse(await readFile(join(node.directory, "agent.json"), "utf8")) as SavedState;
}

/** Resolves once `check` holds (polled), failing after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Registers an image on the world's community whose manifest nobody holds: every member's agent
 * gets a task whose manifest never arrives. What a hostile (but listed) uploader can do for 74.9k gas.
 */
async function registerJunk(client: ClientContext, communityId: bigint): Promise<bigint> {
  const manifestCid = await computeCid(randomBytes(64));
  const registered = await client.registry.registerImage(
    communityId,
    4,
    hexlify(randomBytes(32)),
    hexlify(manifestCid.bytes),
  );
  return registered.imageId;
}

/** Adds a proven manifest and its fragments to `client`'s node and registers it, as a hostile client would. */
async function registerCrafted(
  client: ClientContext,
  communityId: bigint,
  manifest: Manifest,
  fragments: readonly Uint8Array[],
): Promise<bigint> {
  const bytes = serializeManifest(manifest);
  for (const fragment of fragments) await client.ipfs.add(fragment, manifest.unixfs);
  const cid = await client.ipfs.add(bytes, manifest.unixfs);
  const root = buildTree(merkleValues(manifest, bytes)).root;
  // Connected to the members first, as storeImage does, so that their agents can fetch from it.
  const members = await client.registry.communityMembers(communityId);
  expect(await dialNodes(client, members, { timeoutMs: 5000 })).to.deep.equal([]);
  return (await client.registry.registerImage(communityId, 4, root, hexlify(cid.bytes))).imageId;
}

describe("hostile registrants against real agents", function () {
  this.timeout(300_000);
  let world: World;
  let close: () => Promise<void>;
  let image: Uint8Array;
  let quotaBytes: number;
  let stores = 0;
  const events: { node: number; event: AgentEvent }[] = [];

  before(async function () {
    image = await fixture("chelsea.png");
    // The quota lets a registrant keep one such image on a node, not two.
    const encoded = await encodeImageFile(await variant(image, 0), { kernel: { height: 2, width: 2 } });
    const smallest = Math.min(...encoded.fragments.map((fragment) => fragment.bytes.length));
    quotaBytes = Math.floor(1.2 * (smallest + encoded.manifestBytes.length));
    ({ world, close } = await testWorld(4, {
      fetchTimeoutMs: 5000,
      agent: { maxAttempts: 2, quotaBytes },
      onAgentEvent: (node, event) => events.push({ node, event }),
    }));
  });

  after(async function () {
    await close();
  });

  function user(index: number) {
    const account = world.users[index];
    if (account === undefined) throw new Error(`no user ${index}`);
    return account;
  }

  async function honestStore(index: number, timeoutMs = 60_000): Promise<bigint> {
    const uploader = await world.startIpfs(`uploader-${index}-${++stores}`);
    const client = world.client(user(index), uploader);
    const stored = await storeImage(
      client,
      await variant(image, stores),
      {
        mode: "disp",
        communityId: world.communityId,
      },
      { timeoutMs },
    );
    return stored.imageId;
  }

  describe("when the registrant is not an uploader of the community", function () {
    it("refuses its registration with CLIENT_NOT_UPLOADER (ImageRegistryNotUploader on chain)", async function () {
      const outsider = user(9);
      await setUploader({ registry: world.registry }, world.communityId, outsider.address, false);
      const client = world.client(outsider, await world.startIpfs("outsider"));
      await expectCode(registerJunk(client, world.communityId), "CLIENT_NOT_UPLOADER");
      await expectCode(
        storeImage(client, await variant(image, 99), { mode: "disp", communityId: world.communityId }),
        "CLIENT_NOT_UPLOADER",
      );
    });
  });

  describe("when a listed uploader registers junk whose manifests never arrive", function () {
    let junk: bigint[];

    it("still lets an honest store complete while the junk is pending", async function () {
      const hostile = world.client(user(5), await world.startIpfs("hostile"));
      junk = [];
      for (let i = 0; i < 8; i++) junk.push(await registerJunk(hostile, world.communityId));
      const started = Date.now();
      // 8 junk tasks per agent, 5 s each per attempt, 2 attempts: 80 s one after another.
      const imageId = await honestStore(0, 15_000);
      const elapsed = Date.now() - started;
      console.log(`      honest store behind 8 junk registrations: ${elapsed} ms`);
      for (const node of world.nodes) {
        expect(await confirmedBy(world, imageId, 1n, node.account.address)).to.equal(true);
      }
    });

    it("quarantines each junk task after its bounded attempts, in the state file", async function () {
      await eventually(
        async () => {
          for (const node of world.nodes) {
            const state = await savedState(node);
            const given = new Set(state.quarantined.map((task) => task.imageId));
            if (!junk.every((imageId) => given.has(imageId.toString()))) return false;
          }
          return true;
        },
        150_000,
        "every agent quarantined every junk task",
      );
      for (const node of world.nodes) {
        const state = await savedState(node);
        const junkIds = new Set(junk.map(String));
        expect(state.pending.filter((task) => junkIds.has(task.imageId))).to.deep.equal([]);
        for (const task of state.quarantined.filter((entry) => junkIds.has(entry.imageId))) {
          expect(task.code).to.equal("CLIENT_MANIFEST_UNAVAILABLE");
          expect(task.attempts).to.equal(2);
          expect(task.reason).to.match(/^gave up after 2 attempts: /);
        }
      }
    });

    it("does not retry a quarantined task after a restart", async function () {
      const node = world.nodes[0];
      if (node === undefined) throw new Error("no node");
      const junkIds = new Set(junk.map(String));
      await world.restartAgent(node, async () => undefined);
      const since = events.length;
      // The restarted agent works on a new honest image, and never on the junk again.
      await honestStore(1);
      const retried = events
        .slice(since)
        .filter(
          ({ node: index, event }) => index === 0 && "task" in event && junkIds.has(event.task.imageId),
        );
      expect(retried).to.deep.equal([]);
      const state = await savedState(node);
      expect(state.quarantined.filter((task) => junkIds.has(task.imageId))).to.have.length(junk.length);
    });
  });

  describe("when a registrant passes a node's quota", function () {
    it("quarantines the part that would exceed it with CLIENT_QUOTA_EXCEEDED, and serves others", async function () {
      const greedy = 2;
      const first = await honestStore(greedy);
      await expectCode(honestStore(greedy, 8000), "CLIENT_STORAGE_TIMEOUT");
      const owner = user(greedy).address.toLowerCase();
      for (const node of world.nodes) {
        expect(await confirmedBy(world, first, 1n, node.account.address)).to.equal(true);
        const state = await savedState(node);
        expect(state.usage[owner]).to.be.at.most(quotaBytes);
        expect(state.quarantined.map((task) => task.code)).to.include("CLIENT_QUOTA_EXCEEDED");
      }
      // The quota is per registrant: another one still stores.
      await honestStore(3);
    });
  });

  describe("when a manifest declares a part larger than its geometry allows", function () {
    it("refuses it before fetching it (CLIENT_SHARD_TOO_LARGE), and keeps the honest parts", async function () {
      const encoded = await encodeImageFile(await variant(image, 77), { kernel: { height: 2, width: 2 } });
      const [first, ...rest] = encoded.manifest.fragments;
      if (first === undefined) throw new Error("no fragment");
      // 8 MiB declared: far more than any PNG of the pooled size can be.
      const manifest: Manifest = {
        ...encoded.manifest,
        fragments: [{ ...first, size: 8 * 1024 * 1024 }, ...rest],
      };
      const hostile = world.client(user(6), await world.startIpfs("oversized"));
      const imageId = await registerCrafted(
        hostile,
        world.communityId,
        manifest,
        encoded.fragments.map((fragment) => fragment.bytes),
      );
      const slot0 = world.nodes[0];
      if (slot0 === undefined) throw new Error("no node");
      await eventually(
        async () => (await savedState(slot0)).quarantined.some((task) => task.imageId === imageId.toString()),
        30_000,
        "slot 0 quarantined the oversized part",
      );
      const entry = (await savedState(slot0)).quarantined.find((task) => task.imageId === imageId.toString());
      expect(entry?.code).to.equal("CLIENT_SHARD_TOO_LARGE");
      expect(entry?.attempts).to.equal(1);
      expect(await confirmedBy(world, imageId, 1n, slot0.account.address)).to.equal(false);
      for (const node of world.nodes.slice(1)) {
        await eventually(
          () => confirmedBy(world, imageId, 1n, node.account.address),
          30_000,
          "the other slots kept their honest parts",
        );
      }
    });
  });
});
