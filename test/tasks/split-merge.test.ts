import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { DEFAULT_UNIXFS, pixelHash } from "@disp/protocol";
import { decodeImage, parseManifest } from "@disp/core";

import { dispTasks } from "../../tasks/index.js";
import { fixtureBytes, fixturePath, sameBytes } from "../core/helpers.js";
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
      fidelity: "fileExact",
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
      fidelity: "approximate",
      contentHashVerified: false,
      pixelHashVerified: false,
      missing: [1, 3],
      rejected: [1],
      estimatedPixels: (600 * 400) / 2,
    });
    expect(merge.stderr).to.match(/fragment 1 rejected: does not match its CID/);
    expect((await decodeImage(await readFile(out))).width).to.equal(600);
  });

  describe("with --parity m", () => {
    it("split writes m parity files; merge rebuilds the original JPEG from any k, naming what it rebuilt", async () => {
      const dir = join(work, "fragments");
      const split = await hardhat(
        "disp:split",
        "--image",
        fixturePath("rocket.jpg"),
        "--out",
        dir,
        "--parity",
        "2",
        "--json",
      );
      expect(split.code, split.stderr).to.equal(0);
      const summary = lastJsonLine(split.stdout) as {
        parity: string;
        parityShards: { index: number }[];
        storedBytesRatio: number;
      };
      expect(summary.parity).to.equal("4+2");
      expect(summary.parityShards.map((shard) => shard.index)).to.deep.equal([4, 5]);
      expect(summary.storedBytesRatio).to.be.within(1.4, 1.6);
      expect((await readdir(dir)).sort()).to.deep.equal([
        "fragment-0.jpg",
        "fragment-1.jpg",
        "fragment-2.jpg",
        "fragment-3.jpg",
        "manifest.json",
        "parity-4.bin",
        "parity-5.bin",
      ]);
      // One fragment lost, one tampered: two erasures, as many as the parity rebuilds.
      await unlink(join(dir, "fragment-0.jpg"));
      const tampered = await readFile(join(dir, "fragment-3.jpg"));
      tampered[1000] = (tampered[1000] as number) ^ 1;
      await writeFile(join(dir, "fragment-3.jpg"), tampered);

      const out = join(work, "rebuilt.jpg");
      const merge = await hardhat("disp:merge", "--dir", dir, "--out", out, "--json");
      expect(merge.code, merge.stderr).to.equal(0);
      expect(lastJsonLine(merge.stdout)).to.deep.equal({
        output: out,
        codec: "jpeg",
        exact: true,
        fidelity: "fileExact",
        contentHashVerified: true,
        pixelHashVerified: true,
        missing: [],
        rejected: [3],
        estimatedPixels: 0,
        parity: "4+2",
        path: "parity",
        rebuilt: [0, 3],
        lostShards: [0, 3],
        rejectedShards: [3],
      });
      expect(merge.stderr).to.match(/fragment 3 rejected: does not match its CID/);
      expect(sameBytes(await readFile(out), fixtureBytes("rocket.jpg"))).to.equal(true);

      // A third erasure is more than the parity rebuilds: the approximate recovery, flagged.
      await unlink(join(dir, "parity-5.bin"));
      const approx = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "approx"), "--json");
      expect(approx.code, approx.stderr).to.equal(0);
      expect(lastJsonLine(approx.stdout)).to.deep.include({
        output: join(work, "approx.png"),
        exact: false,
        path: "recovery",
        rebuilt: [],
        lostShards: [0, 3, 5],
      });
    });

    it("a PNG's pixels come back exact with a fragment lost; a parity file from another image is refused, nothing written", async () => {
      const png = join(work, "png");
      expect(
        (await hardhat("disp:split", "--image", fixturePath("chelsea.png"), "--out", png, "--parity", "1"))
          .code,
      ).to.equal(0);
      await unlink(join(png, "fragment-2.png"));
      const out = join(work, "merged.png");
      const merge = await hardhat("disp:merge", "--dir", png, "--out", out, "--json");
      expect(merge.code, merge.stderr).to.equal(0);
      expect(lastJsonLine(merge.stdout)).to.deep.include({
        exact: true,
        fidelity: "fileExact",
        contentHashVerified: true,
        rebuilt: [2],
      });
      const manifest = parseManifest(await readFile(join(png, "manifest.json")));
      expect(pixelHash(await decodeImage(await readFile(out)))).to.equal(manifest.contentHash.digest);

      const jpeg = join(work, "jpeg");
      expect(
        (await hardhat("disp:split", "--image", fixturePath("rocket.jpg"), "--out", jpeg, "--parity", "1"))
          .code,
      ).to.equal(0);
      await writeFile(join(jpeg, "parity-4.bin"), await readFile(join(png, "parity-4.bin")));
      const refused = join(work, "refused.jpg");
      const line = expectOneLineError(
        await hardhat("disp:merge", "--dir", jpeg, "--out", refused),
        "PARITY_SHARD_LENGTH",
      );
      expect(line).to.match(
        /parity-4\.bin is \d+ bytes, the manifest says \d+: a parity file from another image\?/,
      );
      expect(existsSync(refused)).to.equal(false);
    });

    it("split refuses m above the library's limit and k + m above 64, and writes nothing", async () => {
      const dir = join(work, "out");
      const image = fixturePath("rocket.jpg");
      expectOneLineError(
        await hardhat("disp:split", "--image", image, "--out", dir, "--parity", "61"),
        "PARITY_SHARD_LIMIT",
      );
      expectOneLineError(
        await hardhat("disp:split", "--image", image, "--out", dir, "--parity", "300"),
        "PARITY_INVALID_PARAMS",
      );
      expect(existsSync(dir)).to.equal(false);
    });
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
