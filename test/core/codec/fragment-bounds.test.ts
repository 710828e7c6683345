import { MAX_FILE_BYTES, encodeImageFile, encodePng, maxFragmentBytes } from "@disp/core";
import { expect } from "chai";

import { FIXTURES, fixtureBytes, randomImage } from "../helpers.js";

/** Every fragment of `source` (split with `codec`) fits its codec's bound from the manifest alone. */
async function expectWithinBounds(
  source: Uint8Array,
  codec: "png" | "jpeg",
  kernel = { height: 2, width: 2 },
) {
  const { manifest, fragments } = await encodeImageFile(source, { kernel, codec });
  for (const fragment of fragments) {
    const bound = maxFragmentBytes(manifest, fragment.index);
    expect(fragment.bytes.length, `fragment ${fragment.index}`).to.be.at.most(bound);
    // Tight enough to mean something: within a small factor of the worst case the format allows.
    expect(bound).to.be.lessThan(Number.POSITIVE_INFINITY);
  }
  return { manifest, fragments };
}

describe("maxFragmentBytes: a fragment's size bound from its manifest's geometry", function () {
  for (const name of FIXTURES) {
    it(`holds for every pixel-codec fragment of ${name}`, async function () {
      await expectWithinBounds(fixtureBytes(name), "png");
    });
  }

  it("holds for every coefficient-codec fragment of a JPEG, 2x2 and 3x1", async function () {
    await expectWithinBounds(fixtureBytes("rocket.jpg"), "jpeg");
    await expectWithinBounds(fixtureBytes("rocket.jpg"), "jpeg", { height: 3, width: 1 });
  });

  it("holds for incompressible pixels (random RGBA: the PNG's worst case)", async function () {
    const png = await encodePng(randomImage(301, 199, 7), {
      colorType: "rgba",
      filter: "none",
      deflateLevel: 9,
    });
    const { manifest, fragments } = await expectWithinBounds(png, "png", { height: 2, width: 3 });
    const raw = Math.ceil(301 / 3) * 4 * Math.ceil(199 / 2);
    // The bound stays close to the raw pixels: a few percent and a KiB over, not a multiple.
    expect(maxFragmentBytes(manifest, 0)).to.be.lessThan(raw * 1.05 + 2048);
    expect(fragments[0]?.bytes.length).to.be.greaterThan(raw);
  });

  it("is the file codec's byte limit for a file codec manifest", async function () {
    const { manifest } = await encodeImageFile(fixtureBytes("coffee.png"), {
      kernel: { height: 1, width: 1 },
      codec: "file",
    });
    expect(maxFragmentBytes(manifest, 0)).to.equal(MAX_FILE_BYTES);
  });
});
