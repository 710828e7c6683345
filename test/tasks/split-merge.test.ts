import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { DEFAULT_UNIXFS, pixelHash } from "@disp/protocol";
import { decodeImage, parseManifest } from "@disp/core";

import { dispTasks } from "../../tasks/index.js";
import { fixturePath } from "../core/helpers.js";
import { expectOneLineError, hardhat, lastJsonLine } from "./helpers.js";

describe("disp:split and disp:merge", function () {
  this.timeout(60_000);
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "disp-tasks-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("split then merge rebuilds the image exactly, with JSON summaries on the last line", async () => {
    const dir = join(work, "fragments");
    const split = await hardhat(
      "disp:split",
      "--image",
      fixturePath("chelsea.png"),
      "--kernel",
      "2x2",
      "--out",
      dir,
      "--chunk-size",
      "65536",
      "--json",
    );
    expect(split.code, split.stderr).to.equal(0);
    const summary = lastJsonLine(split.stdout) as {
      pixelHash: string;
      fragments: { index: number; cid: string; size: number }[];
    };
    const manifest = parseManifest(await readFile(join(dir, "manifest.json")));
    expect(manifest.unixfs.chunkSize).to.equal(65_536);
    expect(summary.pixelHash).to.equal(manifest.contentHash.digest);
    expect(summary.fragments).to.deep.equal(
      manifest.fragments.map(({ index, cid, size }) => ({ index, cid, size })),
    );
    expect((await readdir(dir)).sort()).to.deep.equal([
      "fragment-0.png",
      "fragment-1.png",
      "fragment-2.png",
      "fragment-3.png",
      "manifest.json",
    ]);

    const out = join(work, "merged.png");
    const merge = await hardhat("disp:merge", "--dir", dir, "--out", out, "--json");
    expect(merge.code, merge.stderr).to.equal(0);
    expect(lastJsonLine(merge.stdout)).to.deep.equal({
      output: out,
      codec: "png",
      exact: true,
      contentHashVerified: true,
      pixelHashVerified: true,
      missing: [],
      rejected: [],
      estimatedPixels: 0,
    });
    expect(pixelHash(await decodeImage(await readFile(out)))).to.equal(manifest.contentHash.digest);
  });

  it("merge treats a fragment that does not match its CID as missing, reports it, and estimates the rest", async () => {
    const dir = join(work, "fragments");
    expect((await hardhat("disp:split", "--image", fixturePath("coffee.png"), "--out", dir)).code).to.equal(
      0,
    );
    const tampered = await readFile(join(dir, "fragment-1.png"));
    tampered[tampered.length - 30] = (tampered[tampered.length - 30] as number) ^ 1;
    await writeFile(join(dir, "fragment-1.png"), tampered);
    await unlink(join(dir, "fragment-3.png"));

    const out = join(work, "approx.png");
    const merge = await hardhat("disp:merge", "--dir", dir, "--out", out, "--json");
    expect(merge.code, merge.stderr).to.equal(0);
    expect(lastJsonLine(merge.stdout)).to.deep.equal({
      output: out,
      codec: "png",
      exact: false,
      contentHashVerified: false,
      pixelHashVerified: false,
      missing: [1, 3],
      rejected: [1],
      estimatedPixels: (600 * 400) / 2,
    });
    expect(merge.stderr).to.match(/fragment 1 rejected: does not match its CID/);
    expect((await decodeImage(await readFile(out))).width).to.equal(600);
  });

  describe("options", () => {
    it("--help says which options are required", async () => {
      const split = await hardhat("disp:split", "--help");
      expect(split.code, split.stderr).to.equal(0);
      expect(split.stdout).to.match(/^ {2}--image +.*\(required\)$/m);
      expect(split.stdout).to.match(/^ {2}--out +.*\(required\)$/m);
      expect(split.stdout).to.match(/^ {2}--chunk-size +.*\(default: 262144\)$/m);
      const merge = await hardhat("disp:merge", "--help");
      expect(merge.stdout).to.match(/^ {2}--dir +.*\(required\)$/m);
      expect(merge.stdout).to.match(/^ {2}--out +.*\(required\)$/m);
    });

    it("--chunk-size defaults to the chunk size of @disp/protocol", () => {
      const split = dispTasks.find((definition) => definition.id.join(" ") === "disp:split");
      const option = split !== undefined && "options" in split ? split.options.chunkSize : undefined;
      expect(option?.defaultValue).to.equal(DEFAULT_UNIXFS.chunkSize);
    });

    it("--chunk-size is a Hardhat INT: anything else is Hardhat's error, without a stack trace", async () => {
      const dir = join(work, "out");
      const run = await hardhat(
        "disp:split",
        "--image",
        fixturePath("coffee.png"),
        "--out",
        dir,
        "--chunk-size",
        "abc",
      );
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.match(
        /^Error HHE500: Invalid value "abc" for argument "chunkSize" of type "INT"$/m,
      );
      expect(run.stderr).to.not.match(/^\s+at /m);
      expectOneLineError(
        await hardhat("disp:split", "--image", fixturePath("coffee.png"), "--out", dir, "--chunk-size", "0"),
        "TASK_INPUT",
      );
      expect(existsSync(dir)).to.equal(false);
    });
  });

  describe("on bad input: one line on stderr, exit code 1, no output", () => {
    it("split refuses an empty image file", async () => {
      const empty = join(work, "empty.png");
      await writeFile(empty, new Uint8Array());
      const dir = join(work, "out");
      expectOneLineError(await hardhat("disp:split", "--image", empty, "--out", dir), "IMAGE_EMPTY");
      expect(existsSync(dir)).to.equal(false);
    });

    it("split refuses a kernel out of range and a missing --image", async () => {
      const dir = join(work, "out");
      expectOneLineError(
        await hardhat("disp:split", "--image", fixturePath("coffee.png"), "--kernel", "9x9", "--out", dir),
        "KERNEL_INVALID",
      );
      expectOneLineError(await hardhat("disp:split", "--out", dir), "TASK_INPUT");
      expect(existsSync(dir)).to.equal(false);
    });

    it("merge refuses a manifest that is not canonical, and writes nothing", async () => {
      const dir = join(work, "fragments");
      expect((await hardhat("disp:split", "--image", fixturePath("coffee.png"), "--out", dir)).code).to.equal(
        0,
      );
      const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as unknown;
      await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
      const out = join(work, "merged.png");
      expectOneLineError(await hardhat("disp:merge", "--dir", dir, "--out", out), "MANIFEST_INVALID");
      expect(existsSync(out)).to.equal(false);
    });

    it("merge leaves no partial file when the output cannot be written", async () => {
      const dir = join(work, "fragments");
      expect((await hardhat("disp:split", "--image", fixturePath("coffee.png"), "--out", dir)).code).to.equal(
        0,
      );
      const out = join(work, "no-such-dir", "merged.png");
      expectOneLineError(await hardhat("disp:merge", "--dir", dir, "--out", out), "TASK_INPUT");
      expect(await readdir(work)).to.deep.equal(["fragments"]);
    });
  });
});
