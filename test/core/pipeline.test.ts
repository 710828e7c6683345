import { expect } from "chai";
import { PNG } from "pngjs";

import { computeCid, pixelHash } from "@disp/protocol";
import { decodeImage, parseManifest, rebuildImage, splitImageFile, type ProgressEvent } from "@disp/core";

import { FIXTURES, fixtureBytes, pseudoRandomBytes, sameBytes } from "./helpers.js";

/** A PNG with every alpha value from 0 to 255 in it. */
function alphaPng(): Uint8Array {
  const png = new PNG({ width: 37, height: 23 });
  png.data = Buffer.from(pseudoRandomBytes(37 * 23 * 4, 11));
  return new Uint8Array(PNG.sync.write(png));
}

describe("splitImageFile and rebuildImage", () => {
  it("rebuild a fixture bit-exactly, verified by the pixel hash, with CIDs computed offline", async () => {
    const events: ProgressEvent[] = [];
    const stored = await splitImageFile(fixtureBytes("rocket.jpg"), {
      kernel: { height: 3, width: 2 },
      onProgress: (event) => events.push(event),
    });
    expect(parseManifest(stored.manifestBytes)).to.deep.equal(stored.manifest);
    for (const fragment of stored.fragments) {
      expect((await computeCid(fragment.bytes)).toString()).to.equal(fragment.cid);
      const png = await decodeImage(fragment.bytes);
      expect([png.format, png.width, png.height]).to.deep.equal(["png", 320, 143]);
    }
    expect(events.map((e) => e.phase)).to.include.members(["decode", "split", "encode", "cid"]);

    const result = await rebuildImage(
      stored.manifest,
      stored.fragments.map((f) => f.bytes),
    );
    expect(result).to.include({ exact: true, pixelHashVerified: true, estimatedPixels: 0 });
    expect(result.missing).to.deep.equal([]);
    expect(sameBytes(result.image.data, stored.image.data)).to.equal(true);
  });

  for (const name of FIXTURES) {
    it(`round-trips ${name} exactly through fragment PNGs with a 2x2 kernel`, async () => {
      const stored = await splitImageFile(fixtureBytes(name), { kernel: { height: 2, width: 2 } });
      const result = await rebuildImage(
        stored.manifest,
        stored.fragments.map((f) => f.bytes),
      );
      expect(result).to.include({ exact: true, pixelHashVerified: true });
      expect(pixelHash(result.image)).to.equal(stored.manifest.contentHash.digest);
    });
  }

  for (const [name, bytes, colorType] of [
    ["grey (camera.png)", () => fixtureBytes("camera.png"), "gray"],
    ["alpha", alphaPng, "rgba"],
  ] as const) {
    it(`round-trips a ${name} image exactly, with fragments of PNG colour type ${colorType}`, async () => {
      const stored = await splitImageFile(bytes(), { kernel: { height: 2, width: 2 } });
      expect(stored.manifest.codec).to.include({ name: "png", colorType });
      const result = await rebuildImage(
        stored.manifest,
        stored.fragments.map((f) => f.bytes),
      );
      expect(result.pixelHashVerified).to.equal(true);
      expect(pixelHash(result.image)).to.equal(pixelHash(stored.image));
    });
  }

  it("uses the chunk size it is given, which changes the CIDs of fragments larger than a chunk", async () => {
    const small = await splitImageFile(fixtureBytes("coffee.png"), {
      kernel: { height: 1, width: 1 },
      unixfs: {
        cidVersion: 1,
        rawLeaves: true,
        layout: "balanced",
        chunkSize: 65_536,
        maxChildrenPerNode: 174,
      },
    });
    const large = await splitImageFile(fixtureBytes("coffee.png"), { kernel: { height: 1, width: 1 } });
    expect(small.manifest.unixfs.chunkSize).to.equal(65_536);
    expect(small.fragments[0]?.sha256).to.equal(large.fragments[0]?.sha256);
    expect(small.fragments[0]?.cid).to.not.equal(large.fragments[0]?.cid);
  });

  it("rejects a tampered fragment, never uses it, and recovers the rest as approximate", async () => {
    const stored = await splitImageFile(fixtureBytes("astronaut.png"), { kernel: { height: 2, width: 2 } });
    const files = stored.fragments.map((f) => f.bytes.slice());
    const tampered = files[2] as Uint8Array;
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] as number) ^ 0x40;
    const result = await rebuildImage(stored.manifest, [files[0], files[1], files[2], undefined]);
    expect(result.exact).to.equal(false);
    expect(result.pixelHashVerified).to.equal(false);
    expect(result.missing).to.deep.equal([2, 3]);
    expect(result.rejected.map((r) => r.index)).to.deep.equal([2]);
    expect(result.rejected[0]?.reason).to.match(/CID/);
    expect(result.estimatedPixels).to.equal((512 * 512) / 2);
  });
});
