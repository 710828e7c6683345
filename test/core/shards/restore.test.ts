import { expect } from "chai";

import {
  decodeImage,
  psnr,
  rebuildFromShards,
  restoreFragments,
  type CodecChoice,
  type ProtectedImage,
} from "@disp/core";

import { fixtureBytes, sameBytes } from "../helpers.js";
import { PARITY_CASES, allShards, croppedPng, protect, subsetsUpTo, tampered } from "./helpers.js";

/** How the shards of one combination are damaged: all deleted, all altered, or alternately. */
const DAMAGE = ["lost", "tampered", "mixed"] as const;

function damaged(
  shards: readonly Uint8Array[],
  chosen: readonly number[],
  how: (typeof DAMAGE)[number],
): (Uint8Array | undefined)[] {
  return shards.map((bytes, i) => {
    const at = chosen.indexOf(i);
    if (at < 0) return bytes;
    const lose = how === "lost" || (how === "mixed" && at % 2 === 0);
    return lose ? undefined : tampered(bytes);
  });
}

const SOURCES: readonly { codec: CodecChoice; what: string; bytes: () => Promise<Uint8Array> }[] = [
  { codec: "jpeg", what: "rocket.jpg, JPEG codec", bytes: () => Promise.resolve(fixtureBytes("rocket.jpg")) },
  // A crop keeps the pixel codec's merges fast; every fragment still a real photograph's pixels.
  {
    codec: "png",
    what: "a 96×72 crop of chelsea.png, pixel codec",
    bytes: () => croppedPng("chelsea.png", 96, 72),
  },
];

describe("shards: rebuilding from any k of k + m shard files", function () {
  this.timeout(120_000);

  for (const source of SOURCES) {
    describe(source.what, () => {
      for (const parity of PARITY_CASES) {
        describe(parity.name, () => {
          let image: ProtectedImage;
          let shards: Uint8Array[];
          let exact: Uint8Array;
          before(async () => {
            image = await protect(await source.bytes(), source.codec, parity);
            shards = allShards(image);
            const whole = await rebuildFromShards(image.manifest, shards);
            expect(whole.exact && whole.contentHashVerified).to.equal(true);
            expect(whole.shards.path).to.equal("merge");
            exact = whole.bytes;
          });

          it("every combination of up to m lost, tampered or mixed shards gives the fragments back exactly", async () => {
            const k = image.fragments.length;
            let combinations = 0;
            for (const chosen of subsetsUpTo(k + parity.m, parity.m)) {
              for (const how of DAMAGE) {
                const restored = await restoreFragments(image.manifest, damaged(shards, chosen, how));
                const where = `${how} [${chosen.join(", ")}]`;
                restored.fragments.forEach((bytes, i) => {
                  expect(bytes !== undefined && sameBytes(bytes, shards[i] as Uint8Array), where).to.equal(
                    true,
                  );
                });
                const dataLost = chosen.filter((i) => i < k);
                expect(restored.rebuilt, where).to.deep.equal(dataLost);
                expect(restored.lost, where).to.deep.equal(chosen);
                expect(restored.path, where).to.equal(dataLost.length === 0 ? "merge" : "parity");
                const altered =
                  how === "lost" ? [] : chosen.filter((_, at) => how === "tampered" || at % 2 === 1);
                expect(
                  restored.rejected.map((shard) => shard.index),
                  where,
                ).to.deep.equal(altered);
                combinations++;
                if (chosen.length === 0) break;
              }
            }
            console.log(`      ${combinations} combinations of ${k}+${parity.m}`);
          });

          it("with m shards lost, every choice of them rebuilds the file exactly, the rebuilt fragments named", async () => {
            const k = image.fragments.length;
            for (const chosen of subsetsUpTo(k + parity.m, parity.m).filter((s) => s.length === parity.m)) {
              if (chosen.every((i) => i >= k)) continue; // only parity lost: the plain merge, checked above
              const result = await rebuildFromShards(image.manifest, damaged(shards, chosen, "mixed"));
              const where = `[${chosen.join(", ")}]`;
              expect(result.exact && result.contentHashVerified, where).to.equal(true);
              expect(sameBytes(result.bytes, exact), where).to.equal(true);
              expect(result.shards.path, where).to.equal("parity");
              expect(result.shards.rebuilt, where).to.deep.equal(chosen.filter((i) => i < k));
              expect(result.missing, where).to.deep.equal([]);
            }
          });

          it("with m + 1 fragments lost, falls back to the approximate recovery, flagged, with its PSNR", async () => {
            const k = image.fragments.length;
            const chosen = Array.from({ length: Math.min(parity.m + 1, k - 1) }, (_, i) => i + 1);
            const result = await rebuildFromShards(image.manifest, damaged(shards, chosen, "lost"));
            expect(result.exact).to.equal(false);
            expect(result.contentHashVerified).to.equal(false);
            expect(result.shards.path).to.equal("recovery");
            expect(result.shards.rebuilt).to.deep.equal([]);
            expect(result.missing).to.deep.equal(chosen);
            const original = await decodeImage(await source.bytes());
            const quality = psnr(original, await result.pixels());
            console.log(
              `      ${chosen.length} of ${k}+${parity.m} lost: approximate, PSNR ${quality.toFixed(2)} dB`,
            );
            expect(quality).to.be.greaterThan(18);
          });
        });
      }
    });
  }
});
