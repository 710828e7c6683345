import { expect } from "chai";

import { canonicalJson, DEFAULT_UNIXFS, MANIFEST_SCHEMA, ManifestError } from "@disp/protocol";
import {
  parseManifest,
  serializeManifest,
  splitImageFile,
  validateManifest,
  type Manifest,
} from "@disp/core";

import { fixtureBytes } from "./helpers.js";

async function sampleManifest(): Promise<Manifest> {
  return (await splitImageFile(fixtureBytes("chelsea.png"), { kernel: { height: 2, width: 3 } })).manifest;
}

function refusal(action: () => unknown): ManifestError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ManifestError);
    expect((error as ManifestError).code).to.equal("MANIFEST_INVALID");
    return error as ManifestError;
  }
  throw new Error("expected the manifest to be refused");
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("manifest", () => {
  it("records what a reader needs and round-trips through its canonical bytes", async () => {
    const manifest = await sampleManifest();
    expect(manifest.schema).to.equal(MANIFEST_SCHEMA);
    expect(manifest.image).to.deep.equal({ width: 451, height: 300, channels: 4, bitDepth: 8 });
    expect(manifest.kernel).to.deep.equal({ height: 2, width: 3 });
    const { source, ...fragmentSettings } =
      manifest.codec.name === "png" ? manifest.codec : { source: undefined };
    expect(fragmentSettings).to.deep.equal({ name: "png", colorType: "rgb", filter: "up", deflateLevel: 6 });
    // The stored PNG's structure: chelsea.png has an ICC profile, a resolution and XMP text.
    expect(source?.chunks.map((chunk) => chunk.type)).to.deep.equal(["iCCP", "pHYs", "iTXt"]);
    expect(manifest.contentHash.algorithm).to.equal("disp-pixels-sha256");
    expect(manifest.unixfs).to.deep.equal({ ...DEFAULT_UNIXFS });
    expect(manifest.fragments.map((f) => f.index)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(manifest.parity).to.equal(null);
    expect(manifest.encryption).to.equal(null);

    const bytes = serializeManifest(manifest);
    expect(parseManifest(bytes)).to.deep.equal(manifest);
    const text = new TextDecoder().decode(bytes);
    expect(text).to.not.match(/\s/);
    expect(text.startsWith('{"codec":{"colorType":')).to.equal(true);
  });

  it("writes the same bytes whatever the key order of the value", async () => {
    const manifest = await sampleManifest();
    const reversed = Object.fromEntries(Object.entries(manifest).reverse()) as Manifest;
    expect(serializeManifest(reversed)).to.deep.equal(serializeManifest(manifest));
  });

  describe("when the bytes are not canonical", () => {
    it("refuses whitespace and unsorted keys", async () => {
      const manifest = await sampleManifest();
      const pretty = new TextEncoder().encode(JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 2));
      expect(refusal(() => parseManifest(pretty)).message).to.match(/canonical/);
      expect(refusal(() => parseManifest(encode(manifest))).message).to.match(/canonical/);
    });

    it("refuses non-JSON and non-UTF-8 bytes", () => {
      expect(refusal(() => parseManifest(new TextEncoder().encode("{"))).message).to.match(/not JSON/);
      expect(refusal(() => parseManifest(new Uint8Array([0xff, 0xfe]))).message).to.match(/UTF-8/);
    });
  });

  describe("when a field is wrong", () => {
    const cases: Array<[string, (m: Manifest) => unknown, RegExp]> = [
      ["another schema", (m) => ({ ...m, schema: "disp/manifest@99" }), /schema/],
      ["a missing field", ({ contentHash: _omitted, ...rest }) => rest, /contentHash/],
      ["an unknown field", (m) => ({ ...m, extra: 1 }), /extra/],
      ["a kernel over 8", (m) => ({ ...m, kernel: { height: 9, width: 3 } }), /kernel/],
      ["too few fragments", (m) => ({ ...m, fragments: m.fragments.slice(1) }), /needs 6 fragments/],
      ["fragments out of order", (m) => ({ ...m, fragments: [...m.fragments].reverse() }), /index order/],
      [
        "a bad CID",
        (m) => ({ ...m, fragments: m.fragments.map((f) => ({ ...f, cid: "bafy-not-a-cid" })) }),
        /CID/,
      ],
      [
        "an uppercase digest",
        (m) => ({ ...m, contentHash: { ...m.contentHash, digest: m.contentHash.digest.toUpperCase() } }),
        /hex/,
      ],
      [
        "a file hash for the pixel codec",
        (m) => ({ ...m, contentHash: { ...m.contentHash, algorithm: "sha256" } }),
        /disp-pixels-sha256/,
      ],
      ["an unknown codec", (m) => ({ ...m, codec: { name: "webp" } }), /codec/],
      ["parity set", (m) => ({ ...m, parity: { m: 1 } }), /parity/],
      ["a fractional size", (m) => ({ ...m, image: { ...m.image, width: 1.5 } }), /width/],
      ["a tiny chunk size", (m) => ({ ...m, unixfs: { ...m.unixfs, chunkSize: 10 } }), /chunkSize/],
    ];
    for (const [name, mutate, reason] of cases) {
      it(`refuses ${name}, naming the reason`, async () => {
        const bad = mutate(await sampleManifest());
        expect(refusal(() => validateManifest(bad)).message).to.match(reason);
        expect(refusal(() => parseManifest(encode(bad))).message).to.match(reason);
      });
    }
  });

  describe("canonicalJson", () => {
    it("sorts keys at every depth and refuses what has no single encoding", () => {
      expect(canonicalJson({ b: [{ d: 1, c: null }], a: "x" })).to.equal('{"a":"x","b":[{"c":null,"d":1}]}');
      expect(() => canonicalJson({ a: 0.5 })).to.throw(TypeError);
      expect(() => canonicalJson({ a: Number.NaN })).to.throw(TypeError);
    });
  });
});
