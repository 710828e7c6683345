import {
  changeAccess,
  connectRegistry,
  dialNodes,
  retrieveImage,
  storeImage,
  updateImage,
  verifyImage,
  type AgentEvent,
  type StoreResult,
} from "@disp/client";
import { chooseColorType, encodeImageFile, encodePng } from "@disp/core";
import { startWorld, type World } from "@disp/devkit";
import { CID, type IpfsNode } from "@disp/ipfs";
import { buildTree, merkleValues } from "@disp/protocol";
import { expect } from "chai";
import { hexlify } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { removeDir, tempDir } from "../ipfs/support/files.js";
import { expectCode, fixture } from "./support.js";

// Issue 14, items 4, 5 and 13, mounted against real parts: the Hardhat network, embedded IPFS nodes
// and the real node agents. Verify asks each slot's node alone; a manifest that does not fit its
// image is refused by the client, retrieve, verify and the agents; nobody reads as someone else.
describe("verify asks each slot's node, manifests fit their image, and reads are the signer's", function () {
  this.timeout(240_000);
  let connection: NetworkConnection;
  let directory: string;
  let world: World;
  let uploader: IpfsNode;
  let stored: StoreResult;
  let image: Uint8Array;
  const agentEvents: { node: number; event: AgentEvent }[] = [];

  before(async function () {
    directory = await tempDir("honest-verify");
    connection = await network.create();
    world = await startWorld(connection, {
      directory,
      communitySize: 4,
      fetchTimeoutMs: 5000,
      onAgentEvent: (node, event) => agentEvents.push({ node, event }),
    });
    const [owner] = world.users;
    if (owner === undefined) throw new Error("no user account");
    image = await fixture("chelsea.png");
    // The owner's node stays up: it holds every fragment, and must never speak for a slot.
    uploader = await world.startIpfs("owner");
    // Public: item 13 is the registry's read grant of a public image (private: test/flow/private-images.ts).
    stored = await storeImage(
      world.client(owner, uploader),
      image,
      { mode: "disp", communityId: world.communityId },
      { visibility: "public" },
    );
  });

  after(async function () {
    await world?.stop();
    await connection?.close();
    await removeDir(directory);
  });

  async function gasOf(transactionHash: string): Promise<bigint> {
    const receipt = await connection.ethers.provider.getTransactionReceipt(transactionHash);
    if (receipt === null) throw new Error(`no receipt for ${transactionHash}`);
    return receipt.gasUsed;
  }

  async function lastRegistered(): Promise<bigint> {
    const registry = await connection.ethers.getContractAt("DispRegistry", world.registryAddress);
    const logs = await registry.queryFilter(registry.filters.ImageRegistered());
    const last = logs.at(-1);
    if (last === undefined) throw new Error("nothing registered");
    return last.args.imageId;
  }

  describe("item 4: verify", function () {
    it("says held for every slot whose own node serves its shard", async function () {
      const [owner] = world.users;
      if (owner === undefined) throw new Error("setup");
      const report = await verifyImage(world.client(owner, uploader), stored.imageId);
      expect(report.slots.map((slot) => slot.status)).to.deep.equal(["held", "held", "held", "held"]);
      expect(report.ok).to.equal(true);
    });

    it("says not-held for a member that confirmed without fetching, though the owner's node holds every fragment", async function () {
      const cheat = world.nodes[3];
      const [owner] = world.users;
      if (cheat === undefined || owner === undefined) throw new Error("setup");
      const client = world.client(owner, uploader);
      await world.restartAgent(cheat, async () => {
        // With its agent down the member fetches nothing; the store gives up waiting for slot 3. (Another
        // picture, not a variant of the first: a variant shares fragments the member already holds.)
        await expectCode(
          storeImage(
            client,
            await fixture("rocket.jpg"),
            { mode: "disp", communityId: world.communityId },
            {
              timeoutMs: 3000,
            },
          ),
          "CLIENT_STORAGE_TIMEOUT",
        );
        const imageId = await lastRegistered();
        // The attack: a receipt signed straight from the member's account, nothing pinned.
        const receipt = await connectRegistry(world.registryAddress, cheat.account).confirmStorage(
          imageId,
          1n,
        );
        const gas = await gasOf(receipt.transactionHash);
        console.log(`      confirmStorage without holding anything: ${gas} gas`);
        const report = await verifyImage(client, imageId, { timeoutMs: 3000 });
        for (const slot of report.slots) expect(await uploader.has(CID.parse(slot.cid))).to.equal(true);
        expect(await cheat.ipfs.has(CID.parse(report.slots[3]?.cid ?? ""))).to.equal(false);
        expect(report.slots.map((slot) => slot.confirmed)).to.deep.equal([true, true, true, true]);
        expect(report.slots.map((slot) => slot.status)).to.deep.equal(["held", "held", "held", "not-held"]);
        expect(report.slots[3]?.reason).to.match(/did not serve it within 3000 ms/);
        expect(report.ok).to.equal(false);
      });
    });

    it("asks each replica of a replicated image for the whole file", async function () {
      const [owner] = world.users;
      if (owner === undefined) throw new Error("setup");
      const nodes = world.nodes.slice(0, 3).map((node) => node.account.address);
      const client = world.client(owner, uploader);
      const replicated = await storeImage(client, await fixture("camera.png"), { mode: "replicate", nodes });
      const report = await verifyImage(client, replicated.imageId);
      expect(report.slots.map((slot) => [slot.fragment, slot.status])).to.deep.equal([
        [0, "held"],
        [0, "held"],
        [0, "held"],
      ]);
      expect(report.ok).to.equal(true);
    });

    it("says unreachable for a slot whose node is down, and held for the others", async function () {
      const down = world.nodes[1];
      const [owner] = world.users;
      if (down === undefined || owner === undefined) throw new Error("setup");
      await world.stopNode(down);
      try {
        const report = await verifyImage(world.client(owner, uploader), stored.imageId, { timeoutMs: 3000 });
        expect(report.slots.map((slot) => slot.status)).to.deep.equal([
          "held",
          "unreachable",
          "held",
          "held",
        ]);
        expect(report.slots[1]?.reason).to.be.a("string");
        expect(report.ok).to.equal(false);
      } finally {
        await world.restartNode(down);
      }
    });
  });

  describe("item 5: a version's manifest must fit its image", function () {
    it("is refused by update when an editor asks for a 3x3 version of a 4-slot image, registering nothing", async function () {
      const [owner, editor] = world.users;
      if (owner === undefined || editor === undefined) throw new Error("setup");
      await changeAccess(world.client(owner, uploader), "grant-editor", stored.imageId, editor.address);
      const client = world.client(editor, await world.startIpfs("editor-client"));
      await expectCode(
        updateImage(client, stored.imageId, await fixture("coffee.png"), { kernel: { height: 3, width: 3 } }),
        "CLIENT_INVALID_INPUT",
      );
      expect((await world.registry.imageInfo(stored.imageId)).versionCount).to.equal(1n);
    });

    it("is refused by store, before anything is uploaded, when a fragment would hold no pixel of its own", async function () {
      const [owner] = world.users;
      if (owner === undefined) throw new Error("setup");
      const pixels = { width: 1, height: 3, data: new Uint8Array(12).fill(200) };
      const tiny = await encodePng(pixels, {
        colorType: chooseColorType(pixels),
        filter: "none",
        deflateLevel: 6,
      });
      const fresh = await world.startIpfs("tiny-uploader");
      const before = await lastRegistered();
      const refusal = await expectCode(
        storeImage(world.client(owner, fresh), tiny, { mode: "disp", communityId: world.communityId }),
        "CLIENT_MANIFEST_MISMATCH",
      );
      expect(refusal.message).to.include("has a 2x2 kernel on a 1x3 image");
      expect(await fresh.pins()).to.deep.equal([]);
      expect(await lastRegistered()).to.equal(before);
    });

    it("registered on chain by hand, is refused by retrieve, verify and every agent, for good", async function () {
      const [owner, editor] = world.users;
      if (owner === undefined || editor === undefined) throw new Error("setup");
      const editorIpfs = await world.startIpfs("editor-hostile");
      const editorClient = world.client(editor, editorIpfs);
      // A 3x3 encoding (9 fragments) and its manifest, made without the client's checks.
      const hostile = await encodeImageFile(await fixture("coffee.png"), {
        kernel: { height: 3, width: 3 },
        codec: "png",
      });
      for (const fragment of hostile.fragments) await editorIpfs.add(fragment.bytes, hostile.manifest.unixfs);
      const manifestCid = await editorIpfs.add(hostile.manifestBytes, hostile.manifest.unixfs);
      expect(
        await dialNodes(
          editorClient,
          world.nodes.map((node) => node.account.address),
          { timeoutMs: 10_000 },
        ),
      ).to.deep.equal([]);
      const root = buildTree(merkleValues(hostile.manifest, hostile.manifestBytes)).root;
      // The registry takes it: a version is a root and a CID, the manifest is off chain.
      const added = await editorClient.registry.addVersion(stored.imageId, root, hexlify(manifestCid.bytes));
      console.log(`      addVersion of the 3x3 manifest: ${await gasOf(added.transactionHash)} gas`);
      expect(added.version).to.equal(2n);

      const reader = world.client(owner, await world.startIpfs("reader-hostile"));
      const refusal = await expectCode(retrieveImage(reader, stored.imageId), "CLIENT_MANIFEST_MISMATCH");
      expect(refusal.message).to.include("lists 9 shards, the image keeps 4 per version on chain");
      await expectCode(verifyImage(reader, stored.imageId), "CLIENT_MANIFEST_MISMATCH");
      // Version 1 stays readable.
      expect((await retrieveImage(reader, stored.imageId, { version: 1n })).exact).to.equal(true);

      const refusals = () =>
        agentEvents.flatMap(({ node, event }) =>
          event.type === "failed" &&
          event.task.imageId === stored.imageId.toString() &&
          event.task.version === "2"
            ? [{ node, willRetry: event.willRetry, reason: event.reason }]
            : [],
        );
      const deadline = Date.now() + 30_000;
      while (new Set(refusals().map((refused) => refused.node)).size < 4 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect([...new Set(refusals().map((refused) => refused.node))].sort()).to.deep.equal([0, 1, 2, 3]);
      for (const refused of refusals()) {
        expect(refused.willRetry).to.equal(false);
        expect(refused.reason).to.include("lists 9 shards");
      }
      expect(await world.registry.storageReceipts(stored.imageId, 2n)).to.deep.equal([]);
    });
  });

  describe("item 13: reads are the signer's", function () {
    it("refuses an account without a grant; no option reads as another account", async function () {
      const [owner, , stranger] = world.users;
      if (owner === undefined || stranger === undefined) throw new Error("setup");
      const asStranger = world.client(stranger, await world.startIpfs("stranger"));
      await expectCode(retrieveImage(asStranger, stored.imageId, { version: 1n }), "CLIENT_NO_READ_GRANT");
      await expectCode(
        retrieveImage(asStranger, stored.imageId, {
          version: 1n,
          // @ts-expect-error the reader override is gone: the reader is the signer
          reader: owner.address,
        }),
        "CLIENT_NO_READ_GRANT",
      );
    });
  });
});
