import { expect } from "chai";

import { ManifestError, PIXEL_HASH_ALGORITHM } from "@disp/protocol";
import {
  checkFragmentBytes,
  encodeImageFile,
  parseManifest,
  serializeManifest,
  validateManifest,
  type Manifest,
} from "@disp/core";

import { fixtureBytes } from "../helpers.js";

async function jpegManifest(): Promise<Manifest> {
  return (
    await encodeImageFile(fixtureBytes("rocket.jpg"), { kernel: { height: 2, width: 3 }, codec: "jpeg" })
  ).manifest;
}

/** The manifest as plain JSON, with `edit` applied to a copy. */
function edited(manifest: Manifest, edit: (value: Record<string, unknown>) => void): unknown {
  const value = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  edit(value);
  return value;
}

function refusedFor(value: unknown, pattern: RegExp): void {
  expect(() => validateManifest(value))
    .to.throw(ManifestError)
    .with.property("message")
    .that.matches(pattern);
}

function layoutOf(value: Record<string, unknown>): Record<string, unknown> {
  return (value.codec as { layout: Record<string, unknown> }).layout;
}

describe("manifest with the jpeg and file codecs", () => {
  it("records the jpeg codec's layout and round-trips through its canonical bytes", async () => {
    const manifest = await jpegManifest();
    expect(manifest.codec.name).to.equal("jpeg");
    expect(manifest.image).to.deep.equal({ width: 640, height: 427, channels: 4, bitDepth: 8 });
    expect(manifest.kernel).to.deep.equal({ height: 2, width: 3 });
    expect(manifest.contentHash.algorithm).to.equal("sha256");
    const bytes = serializeManifest(manifest);
    expect(parseManifest(bytes)).to.deep.equal(manifest);
    expect(new TextDecoder().decode(bytes)).to.not.match(/\s/);
  });

  it("round-trips the file codec", async () => {
    const { manifest, manifestBytes } = await encodeImageFile(fixtureBytes("coffee.png"), {
      kernel: { height: 2, width: 2 },
      codec: "file",
    });
    expect(manifest.codec).to.deep.equal({ name: "file", format: "png" });
    expect(parseManifest(manifestBytes)).to.deep.equal(manifest);
  });

  describe("refuses a jpeg layout that", () => {
    const cases: [string, (layout: Record<string, unknown>) => void, RegExp][] = [
      ["names another schema", (l) => (l.schema = "disp/jpeg-layout@2"), /schema must be/],
      ["has a bad padBit", (l) => (l.padBit = 2), /padBit must be 0 or 1/],
      ["lacks its header", (l) => delete l.header, /header must be a string/],
      ["is not an object", (l) => (l.kernel = "2x3"), /kernel must be an object/],
      [
        "disagrees with the image size",
        (l) => (l.width = 641),
        /is 641x427, the image 640x427.*at codec\.layout/,
      ],
      ["disagrees with the kernel", (l) => (l.kernel = { kh: 3, kw: 2 }), /has kernel 3x2/],
    ];
    for (const [what, edit, pattern] of cases) {
      it(what, async () => {
        const manifest = await jpegManifest();
        refusedFor(
          edited(manifest, (value) => edit(layoutOf(value))),
          pattern,
        );
      });
    }

    it("carries fields the layout does not define (not canonical once read)", async () => {
      const manifest = await jpegManifest();
      const value = edited(manifest, (v) => (layoutOf(v).extra = 1));
      expect(() => parseManifest(new TextEncoder().encode(JSON.stringify(value)))).to.throw(ManifestError);
    });
  });

  it("refuses a content hash algorithm that is not its codec's", async () => {
    const manifest = await jpegManifest();
    refusedFor(
      edited(manifest, (v) => ((v.contentHash as Record<string, unknown>).algorithm = PIXEL_HASH_ALGORITHM)),
      /the jpeg codec's content hash is sha256/,
    );
    const file = (
      await encodeImageFile(fixtureBytes("coffee.png"), { kernel: { height: 1, width: 1 }, codec: "file" })
    ).manifest;
    refusedFor(
      edited(file, (v) => ((v.contentHash as Record<string, unknown>).algorithm = PIXEL_HASH_ALGORITHM)),
      /the file codec's content hash is sha256/,
    );
  });

  it("refuses a file codec with a kernel other than 1x1, and an unknown format", async () => {
    const { manifest } = await encodeImageFile(fixtureBytes("coffee.png"), {
      kernel: { height: 1, width: 1 },
      codec: "file",
    });
    refusedFor(
      edited(manifest, (v) => {
        v.kernel = { height: 1, width: 2 };
        (v.fragments as unknown[]).push({ ...(v.fragments as object[])[0], index: 1 });
      }),
      /the file codec's kernel is 1x1/,
    );
    refusedFor(
      edited(manifest, (v) => ((v.codec as Record<string, unknown>).format = "tga")),
      /codec\.format/,
    );
  });
});

describe("checkFragmentBytes", () => {
  it("accepts the registered file and says why it refuses any other", async () => {
    const { manifest, fragments } = await encodeImageFile(fixtureBytes("rocket.jpg"), {
      kernel: { height: 2, width: 2 },
    });
    const good = fragments[1]?.bytes ?? new Uint8Array();
    expect(await checkFragmentBytes(manifest, 1, good)).to.equal(undefined);
    expect(await checkFragmentBytes(manifest, 0, good)).to.match(/bytes, the manifest says|does not match/);
    expect(await checkFragmentBytes(manifest, 1, good.subarray(1))).to.equal(
      `is ${good.length - 1} bytes, the manifest says ${good.length}`,
    );
    const flipped = good.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(await checkFragmentBytes(manifest, 1, flipped)).to.equal("does not match its CID");
    expect(await checkFragmentBytes(manifest, 4, good)).to.equal("not in the manifest");
  });
});
