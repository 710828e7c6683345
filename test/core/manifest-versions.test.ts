import { readFileSync } from "node:fs";

import { expect } from "chai";

import { encodeImageFile, parseManifest, serializeManifest } from "@disp/core";
import { MANIFEST_SCHEMA, buildTree, merkleValues, sha256Hex } from "@disp/protocol";

import { fixtureBytes, fixturePath } from "./helpers.js";

/** Manifests written by the disp/manifest@1 code, one per codec, kept as their exact bytes. */
const V1 = ["chelsea-png-2x3", "rocket-jpeg-2x2", "rocket-file-1x1"] as const;

describe("manifest versions", () => {
  for (const name of V1) {
    describe(`a disp/manifest@1 file (${name})`, () => {
      const bytes = (): Uint8Array => readFileSync(fixturePath(`manifests/${name}.v1.json`));

      it("is read as the current shape, with proofs null", () => {
        const manifest = parseManifest(bytes());
        expect(manifest.schema).to.equal("disp/manifest@1");
        expect(manifest.proofs).to.equal(null);
        expect(manifest.parity).to.equal(null);
        expect(manifest.encryption).to.equal(null);
      });

      it("writes back to the same bytes, so its leaf and the version root do not change", () => {
        const manifest = parseManifest(bytes());
        const again = serializeManifest(manifest);
        expect(sha256Hex(again)).to.equal(sha256Hex(bytes()));
        expect(buildTree(merkleValues(manifest, again)).root).to.equal(
          buildTree(merkleValues(manifest, bytes())).root,
        );
      });

      it("refuses a proofs field, which that version does not have", () => {
        const value = JSON.parse(new TextDecoder().decode(bytes())) as Record<string, unknown>;
        expect(() => serializeManifest({ ...value, proofs: null } as never)).to.not.throw();
        const withProofs = new TextEncoder().encode(
          JSON.stringify(Object.fromEntries(Object.entries({ ...value, proofs: null }).sort())),
        );
        expect(() => parseManifest(withProofs)).to.throw(/proofs|canonical/);
      });
    });
  }

  it("writes the current version, with proofs null", async () => {
    const { manifest, manifestBytes } = await encodeImageFile(fixtureBytes("rocket.jpg"), {
      kernel: { height: 2, width: 2 },
    });
    expect(manifest.schema).to.equal(MANIFEST_SCHEMA).and.to.equal("disp/manifest@2");
    expect(new TextDecoder().decode(manifestBytes)).to.contain('"proofs":null');
    expect(parseManifest(manifestBytes)).to.deep.equal(manifest);
  });
});
