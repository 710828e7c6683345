import { retrieveImage, storeImage, verifyImage } from "@disp/client";
import { decodeImage } from "@disp/core";
import type { World } from "@disp/devkit";
import { sha256Hex } from "@disp/protocol";
import { expect } from "chai";
import { Jimp } from "jimp";

import { expectCode, fixture, registeredImages, testWorld } from "./support.js";

/**
 * Issue 17, any file in replicate mode, with real parts: the Hardhat network, embedded IPFS nodes
 * and the node agents. Replication stores bytes: a WebP and a PDF go whole to r nodes and come back
 * byte for byte; a community refuses them (no codec pools them); verify --file says what a file is.
 */
describe("files DISP does not decode, replicated whole on real nodes", function () {
  this.timeout(240_000);
  let world: World;
  let close: () => Promise<void>;

  before(async function () {
    ({ world, close } = await testWorld(3));
  });

  after(async function () {
    await close();
  });

  const replicas = () => world.nodes.slice(0, 2).map((node) => node.account.address);

  for (const name of ["chelsea.webp", "chelsea.pdf"]) {
    it(`stores ${name} with --mode replicate and gives it back byte for byte, proven fileExact`, async function () {
      const [owner] = world.users;
      if (owner === undefined) throw new Error("setup");
      const file = await fixture(`any-file/${name}`);
      const stored = await storeImage(world.client(owner, await world.startIpfs(`uploader-${name}`)), file, {
        mode: "replicate",
        nodes: replicas(),
      });
      expect(stored).to.include({ mode: "replicate", codec: "file", fidelity: "fileExact" });
      expect(stored.contentHash).to.equal(sha256Hex(file));

      const reader = world.client(owner, await world.startIpfs(`reader-${name}`));
      const result = await retrieveImage(reader, stored.imageId);
      expect(result).to.include({ exact: true, fidelity: "fileExact", contentHashVerified: true });
      expect(result.extension).to.equal(name.split(".")[1]);
      expect(sha256Hex(result.bytes)).to.equal(sha256Hex(file));
      await expectCode(result.pixels(), "IMAGE_UNSUPPORTED");

      const report = await verifyImage(reader, stored.imageId, { file });
      expect(report).to.include({ ok: true, fileMatches: true, fileFidelity: "fileExact" });
      const other = await verifyImage(reader, stored.imageId, { file: await fixture("rocket.jpg") });
      expect(other).to.include({ ok: false, fileMatches: false });
      expect(other.fileFidelity).to.equal(undefined);
    });
  }

  it("a community refuses a WebP, naming --mode replicate, and nothing is registered", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("setup");
    const before = await registeredImages(world);
    const client = world.client(owner, await world.startIpfs("uploader-refused"));
    const error = await expectCode(
      storeImage(client, await fixture("any-file/chelsea.webp"), {
        mode: "disp",
        communityId: world.communityId,
      }),
      "IMAGE_UNSUPPORTED",
    );
    expect(error.message).to.include("WebP image").and.include("--mode replicate");
    expect(await registeredImages(world)).to.deep.equal(before);
  });

  it("verify of a pooled PNG says fileExact for the stored file and contentExact for another file with its pixels", async function () {
    const [owner] = world.users;
    if (owner === undefined) throw new Error("setup");
    const png = await fixture("chelsea.png");
    const client = world.client(owner, await world.startIpfs("uploader-png"));
    const stored = await storeImage(client, png, { mode: "disp", communityId: world.communityId });
    // Its compressed data is reproduced at store time, so a full retrieve is the file itself.
    expect(stored).to.include({ codec: "png", fidelity: "fileExact" });
    const genuine = await verifyImage(client, stored.imageId, { file: png });
    expect(genuine).to.include({ ok: true, fileMatches: true, fileFidelity: "fileExact" });
    const image = await decodeImage(png);
    const bmp = await Jimp.fromBitmap({ ...image, data: Buffer.from(image.data) }).getBuffer("image/bmp");
    const other = await verifyImage(client, stored.imageId, { file: new Uint8Array(bmp) });
    expect(other).to.include({ ok: true, fileMatches: true, fileFidelity: "contentExact" });
  });
});
