import { expect } from "chai";

import { isDispError } from "@disp/protocol";
import { recoverJpeg, splitJpeg } from "@disp/core";

import { jimpDecode, orient, psnr, readFixture, supportedJpegs } from "./helpers.js";

describe("JPEG coefficient codec: recovery to pixels", function () {
  describe("with every fragment present", function () {
    for (const { name, bytes } of supportedJpegs()) {
      it(`gives exactly jimp's decode of ${name}`, async function () {
        const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });
        const recovered = recoverJpeg(fragments, layout);
        expect(recovered.approximate).to.equal(false);
        expect(recovered.missing).to.deep.equal([]);
        expect(recovered.estimatedPixels).to.equal(0);
        expect(recovered.orientation).to.equal(name.includes("orientation6") ? 6 : 1);
        // jimp rotates by the EXIF orientation; the recovery reports it and leaves the pixels as stored.
        const shown = orient(
          { width: recovered.width, height: recovered.height, data: recovered.rgba },
          recovered.orientation,
        );
        const whole = await jimpDecode(bytes);
        expect([shown.width, shown.height]).to.deep.equal([whole.width, whole.height]);
        expect(Buffer.from(shown.data).equals(Buffer.from(whole.data))).to.equal(true);
      });
    }
  });

  describe("with 1, 2 or 3 of 4 fragments of the fixture lost", function () {
    const bytes = readFixture("rocket.jpg");
    const { fragments, layout } = splitJpeg(bytes, { height: 2, width: 2 });
    const cases = [
      { lost: [3], minPsnr: 30 },
      { lost: [1, 2], minPsnr: 26 },
      { lost: [0, 1], minPsnr: 25 },
      { lost: [0, 1, 3], minPsnr: 23 },
    ];
    for (const { lost, minPsnr } of cases) {
      it(`estimates fragments ${lost.join(", ")} above ${minPsnr} dB and flags them`, function () {
        const full = recoverJpeg(fragments, layout).rgba;
        const present = fragments.map((f, i) => (lost.includes(i) ? undefined : f));
        const recovered = recoverJpeg(present, layout);
        expect(recovered.approximate).to.equal(true);
        expect(recovered.missing).to.deep.equal(lost);
        // A fragment's pixels are exactly those of its MCUs inside the image.
        const lostPixels = lost.reduce(
          (sum, i) => sum + (layout.fragments[i]?.width ?? 0) * (layout.fragments[i]?.height ?? 0),
          0,
        );
        expect(recovered.estimatedPixels).to.equal(lostPixels);
        expect(psnr(recovered.rgba, full)).to.be.greaterThan(minPsnr);
      });
    }

    it("keeps the decoded MCUs of the fragments present untouched", function () {
      const full = recoverJpeg(fragments, layout).rgba;
      const recovered = recoverJpeg([fragments[0], undefined, fragments[2], fragments[3]], layout);
      let differing = 0;
      for (let y = 0; y < layout.height; y++) {
        for (let x = 0; x < layout.width; x++) {
          const lostMcu =
            Math.floor(y / layout.mcuHeight) % 2 === 0 && Math.floor(x / layout.mcuWidth) % 2 === 1;
          const p = (y * layout.width + x) * 4;
          if (!lostMcu && recovered.rgba.subarray(p, p + 4).some((v, ch) => v !== full[p + ch])) differing++;
        }
      }
      expect(differing).to.equal(0);
    });

    it("does better than copying the neighbouring MCU", function () {
      const full = recoverJpeg(fragments, layout).rgba;
      const recovered = recoverJpeg([fragments[0], fragments[1], fragments[2], undefined], layout);
      // Baseline: each lost MCU (odd row, odd column) copied from its left neighbour.
      const copied = Uint8Array.from(full);
      for (let y = 0; y < layout.height; y++) {
        for (let x = 0; x < layout.width; x++) {
          const lostMcu =
            Math.floor(y / layout.mcuHeight) % 2 === 1 && Math.floor(x / layout.mcuWidth) % 2 === 1;
          if (!lostMcu) continue;
          const p = (y * layout.width + x) * 4;
          copied.set(full.subarray(p - layout.mcuWidth * 4, p - layout.mcuWidth * 4 + 4), p);
        }
      }
      expect(psnr(recovered.rgba, full)).to.be.greaterThan(psnr(copied, full) + 1);
    });
  });

  it("recovers a grayscale image split 3x2 with one fragment lost", function () {
    const gray = supportedJpegs().find((f) => f.name === "cjpeg-gray-q85.jpg");
    const { fragments, layout } = splitJpeg((gray as { bytes: Uint8Array }).bytes, { height: 3, width: 2 });
    const full = recoverJpeg(fragments, layout).rgba;
    const recovered = recoverJpeg(
      fragments.map((f, i) => (i === 4 ? undefined : f)),
      layout,
    );
    expect(recovered.missing).to.deep.equal([4]);
    expect(psnr(recovered.rgba, full)).to.be.greaterThan(25);
  });

  it("refuses to recover from no fragment at all", function () {
    const { fragments, layout } = splitJpeg(readFixture("rocket.jpg"), { height: 2, width: 2 });
    let caught: unknown;
    try {
      recoverJpeg(
        fragments.map(() => undefined),
        layout,
      );
    } catch (error) {
      caught = error;
    }
    expect(isDispError(caught, "JPEG_NO_FRAGMENTS")).to.equal(true);
  });
});
