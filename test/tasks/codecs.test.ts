import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { sha256Hex } from "@disp/protocol";
import { decodeImage, parseManifest } from "@disp/core";

import { fixtureBytes, fixturePath, sameBytes } from "../core/helpers.js";
import { expectOneLineError, hardhat, lastJsonLine } from "./helpers.js";

const ARITHMETIC = fixturePath("jpeg-corpus/unsupported/cjpeg-arithmetic.jpg");
const PROGRESSIVE = fixturePath("jpeg-corpus/jpegtran-progressive-icc-exif.jpg");
const NON_INTERLEAVED = fixturePath("jpeg-corpus/unsupported/cjpeg-non-interleaved.jpg");

interface SplitSummary {
  codec: string;
  contentHash: string;
  pixelHash: string;
  sourceBytes: number;
  fragmentBytes: number;
  fallback: { code: string; reason: string } | null;
}

describe("disp:split --codec and disp:merge across codecs", function () {
  this.timeout(60_000);
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "disp-codecs-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("auto stores a baseline JPEG as JPEG fragments and merge writes the original file back", async () => {
    const dir = join(work, "fragments");
    const split = await hardhat("disp:split", "--image", fixturePath("rocket.jpg"), "--out", dir, "--json");
    expect(split.code, split.stderr).to.equal(0);
    const summary = lastJsonLine(split.stdout) as SplitSummary;
    const source = fixtureBytes("rocket.jpg");
    expect(summary.codec).to.equal("jpeg");
    expect(summary.fallback).to.equal(null);
    expect(summary.contentHash).to.equal(sha256Hex(source));
    expect(summary.pixelHash).to.equal(summary.contentHash);
    expect(summary.fragmentBytes / summary.sourceBytes).to.be.below(1.15);
    expect((await readdir(dir)).sort()).to.deep.equal([
      "fragment-0.jpg",
      "fragment-1.jpg",
      "fragment-2.jpg",
      "fragment-3.jpg",
      "manifest.json",
    ]);

    // JPEG bytes are never written into a .png: refused, nothing written; without an extension, .jpg.
    const misnamed = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "rebuilt.png"));
    expect(expectOneLineError(misnamed, "TASK_INPUT")).to.include(`write it to ${join(work, "rebuilt.jpg")}`);
    expect(await readdir(work)).to.deep.equal(["fragments"]);
    const merge = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "rebuilt"), "--json");
    expect(merge.code, merge.stderr).to.equal(0);
    const out = join(work, "rebuilt.jpg");
    expect(lastJsonLine(merge.stdout)).to.deep.equal({
      output: out,
      codec: "jpeg",
      exact: true,
      fidelity: "fileExact",
      contentHashVerified: true,
      pixelHashVerified: true,
      missing: [],
      rejected: [],
      estimatedPixels: 0,
    });
    expect(sameBytes(await readFile(out), source)).to.equal(true);
    expect(existsSync(join(work, "rebuilt.png"))).to.equal(false);
  });

  it("auto stores a progressive JPEG as JPEG fragments and merge writes the original file back", async () => {
    const dir = join(work, "fragments");
    const split = await hardhat("disp:split", "--image", PROGRESSIVE, "--out", dir, "--json");
    expect(split.code, split.stderr).to.equal(0);
    const summary = lastJsonLine(split.stdout) as SplitSummary;
    expect(summary.codec).to.equal("jpeg");
    expect(summary.fallback).to.equal(null);
    expect(summary.fragmentBytes / summary.sourceBytes).to.be.below(1.3);
    const merge = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "rebuilt.jpg"), "--json");
    expect(merge.code, merge.stderr).to.equal(0);
    expect(lastJsonLine(merge.stdout)).to.include({ codec: "jpeg", exact: true, contentHashVerified: true });
    expect(sameBytes(await readFile(join(work, "rebuilt.jpg")), await readFile(PROGRESSIVE))).to.equal(true);
  });

  it("merge of JPEG fragments with one missing writes an approximate PNG", async () => {
    const dir = join(work, "fragments");
    expect((await hardhat("disp:split", "--image", fixturePath("rocket.jpg"), "--out", dir)).code).to.equal(
      0,
    );
    await unlink(join(dir, "fragment-3.jpg"));
    const merge = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "approx"), "--json");
    expect(merge.code, merge.stderr).to.equal(0);
    const summary = lastJsonLine(merge.stdout) as { output: string; exact: boolean; missing: number[] };
    expect(summary).to.include({ output: join(work, "approx.png"), exact: false });
    expect(summary.missing).to.deep.equal([3]);
    const image = await decodeImage(await readFile(summary.output));
    expect([image.format, image.width, image.height]).to.deep.equal(["png", 640, 427]);
  });

  it("auto on a multi-scan sequential JPEG refuses to store its pixels at ~10× the file, in one line, writing nothing", async () => {
    const dir = join(work, "fragments");
    const split = await hardhat("disp:split", "--image", NON_INTERLEAVED, "--out", dir);
    expect(expectOneLineError(split, "CODEC_FALLBACK_TOO_LARGE")).to.match(/--codec png/);
    expect(existsSync(dir)).to.equal(false);
    const asked = await hardhat(
      "disp:split",
      "--image",
      NON_INTERLEAVED,
      "--codec",
      "png",
      "--out",
      dir,
      "--json",
    );
    expect(asked.code, asked.stderr).to.equal(0);
    expect((lastJsonLine(asked.stdout) as SplitSummary).codec).to.equal("png");
    expect(await readdir(dir)).to.include("fragment-0.png");
  });

  it("--codec file writes the file itself as the one fragment, and merge gives it back", async () => {
    const dir = join(work, "fragments");
    const split = await hardhat(
      "disp:split",
      "--image",
      fixturePath("chelsea.png"),
      "--codec",
      "file",
      "--out",
      dir,
      "--json",
    );
    expect(split.code, split.stderr).to.equal(0);
    expect((lastJsonLine(split.stdout) as SplitSummary).codec).to.equal("file");
    expect((await readdir(dir)).sort()).to.deep.equal(["fragment-0.png", "manifest.json"]);
    expect(parseManifest(await readFile(join(dir, "manifest.json"))).kernel).to.deep.equal({
      height: 1,
      width: 1,
    });

    const out = join(work, "copy.png");
    const merge = await hardhat("disp:merge", "--dir", dir, "--out", out);
    expect(merge.code, merge.stderr).to.equal(0);
    expect(merge.stdout).to.match(
      /451 × 300, fileExact \(the stored file, byte for byte\), SHA-256 verified/,
    );
    expect(sameBytes(await readFile(out), fixtureBytes("chelsea.png"))).to.equal(true);
  });

  it("--codec png takes a JPEG through its pixels", async () => {
    const dir = join(work, "fragments");
    const split = await hardhat(
      "disp:split",
      "--image",
      fixturePath("rocket.jpg"),
      "--codec",
      "png",
      "--out",
      dir,
    );
    expect(split.code, split.stderr).to.equal(0);
    expect(split.stderr).to.not.match(/note:/);
    expect(parseManifest(await readFile(join(dir, "manifest.json"))).codec.name).to.equal("png");
  });

  describe("on bad input: one line on stderr, exit code 1, no output", () => {
    it("--codec jpeg refuses an arithmetic-coded JPEG", async () => {
      const dir = join(work, "out");
      expectOneLineError(
        await hardhat("disp:split", "--image", ARITHMETIC, "--codec", "jpeg", "--out", dir),
        "JPEG_UNSUPPORTED",
      );
      expect(existsSync(dir)).to.equal(false);
    });

    it("refuses a progressive JPEG cut short inside a scan", async () => {
      const source = await readFile(PROGRESSIVE);
      const cut = join(work, "cut.jpg");
      await writeFile(cut, source.subarray(0, source.length - 700));
      const dir = join(work, "out");
      expectOneLineError(await hardhat("disp:split", "--image", cut, "--out", dir), "JPEG_INVALID");
      expect(existsSync(dir)).to.equal(false);
    });

    it("refuses an unknown codec", async () => {
      const dir = join(work, "out");
      expectOneLineError(
        await hardhat("disp:split", "--image", fixturePath("rocket.jpg"), "--codec", "webp", "--out", dir),
        "TASK_INPUT",
      );
      expect(existsSync(dir)).to.equal(false);
    });

    it("disp:store refuses an unknown codec with the line disp:split prints", async () => {
      const split = expectOneLineError(
        await hardhat("disp:split", "--image", fixturePath("rocket.jpg"), "--codec", "webp", "--out", work),
        "TASK_INPUT",
      );
      const store = expectOneLineError(
        await hardhat("disp:store", "--image", fixturePath("rocket.jpg"), "--codec", "webp"),
        "TASK_INPUT",
      );
      expect(store).to.equal(split);
      expect(split).to.include("auto, png, jpeg, file");
    });

    it("--codec file keeps a file that is not an image, as a .bin fragment", async () => {
      const text = join(work, "notes.txt");
      await writeFile(text, "not an image");
      const dir = join(work, "out");
      const split = await hardhat("disp:split", "--image", text, "--codec", "file", "--out", dir, "--json");
      expect(split.code, split.stderr).to.equal(0);
      expect((await readdir(dir)).sort()).to.deep.equal(["fragment-0.bin", "manifest.json"]);
      expect(await readFile(join(dir, "fragment-0.bin"), "utf8")).to.equal("not an image");
    });

    it("merge of a file-codec directory without its fragment writes nothing", async () => {
      const dir = join(work, "fragments");
      expect(
        (await hardhat("disp:split", "--image", fixturePath("rocket.jpg"), "--codec", "file", "--out", dir))
          .code,
      ).to.equal(0);
      await unlink(join(dir, "fragment-0.jpg"));
      const out = join(work, "copy.jpg");
      expectOneLineError(await hardhat("disp:merge", "--dir", dir, "--out", out), "NO_FRAGMENTS");
      expect(existsSync(out)).to.equal(false);
    });
  });
});
