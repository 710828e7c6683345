import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { isDispError } from "@disp/protocol";
import { parseManifest } from "@disp/core";

import { outputPath } from "../../tasks/output-file.js";
import { fixtureBytes, fixturePath, sameBytes } from "../core/helpers.js";
import { expectOneLineError, hardhat, lastJsonLine } from "./helpers.js";

describe("disp:split --codec file and disp:merge on files DISP does not decode", function () {
  this.timeout(120_000);
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "disp-any-file-"));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function split(name: string, dir: string): Promise<string> {
    const path = fixturePath(`any-file/${name}`);
    const run = await hardhat("disp:split", "--image", path, "--codec", "file", "--out", dir);
    expect(run.code, run.stderr).to.equal(0);
    return run.stdout;
  }

  it("a WebP comes back byte for byte under its own extension, and is never written as a .png", async () => {
    const dir = join(work, "webp");
    await split("chelsea.webp", dir);
    expect((await readdir(dir)).sort()).to.deep.equal(["fragment-0.webp", "manifest.json"]);
    expect(parseManifest(await readFile(join(dir, "manifest.json"))).codec).to.deep.equal({
      name: "file",
      format: "webp",
    });

    const misnamed = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "cat.png"));
    const line = expectOneLineError(misnamed, "TASK_INPUT");
    expect(line)
      .to.include("WebP image")
      .and.include(`write it to ${join(work, "cat.webp")}`);
    expect((await readdir(work)).sort()).to.deep.equal(["webp"]);

    const merge = await hardhat("disp:merge", "--dir", dir, "--out", join(work, "cat"), "--json");
    expect(merge.code, merge.stderr).to.equal(0);
    expect(lastJsonLine(merge.stdout)).to.deep.include({
      output: join(work, "cat.webp"),
      codec: "file",
      exact: true,
      fidelity: "fileExact",
      contentHashVerified: true,
    });
    expect(sameBytes(await readFile(join(work, "cat.webp")), fixtureBytes("any-file/chelsea.webp"))).to.equal(
      true,
    );
  });

  it("a PDF and an SVG come back byte for byte, saying fileExact and what they are", async () => {
    for (const [name, kind] of [
      ["chelsea.pdf", "PDF document"],
      ["camera.svg", "SVG image"],
    ] as const) {
      const dir = join(work, name);
      const source = fixtureBytes(`any-file/${name}`);
      expect(await split(name, dir)).to.include(`${kind}, ${source.length} bytes, kernel 1x1, file codec`);
      const out = join(work, `copy-of-${name}`);
      const merge = await hardhat("disp:merge", "--dir", dir, "--out", out);
      expect(merge.code, merge.stderr).to.equal(0);
      expect(merge.stdout).to.include(
        `${out}: ${kind}, ${source.length} bytes, fileExact (the stored file, byte for byte), SHA-256 verified`,
      );
      expect(sameBytes(await readFile(out), source)).to.equal(true);
    }
  });

  describe("on malformed input: one line on stderr, exit code 1, nothing written", () => {
    it("merge refuses a fragment that is not the stored file", async () => {
      const dir = join(work, "pdf");
      await split("chelsea.pdf", dir);
      const fragment = await readFile(join(dir, "fragment-0.pdf"));
      fragment[100] = (fragment[100] as number) ^ 1;
      await writeFile(join(dir, "fragment-0.pdf"), fragment);
      const out = join(work, "copy.pdf");
      const line = expectOneLineError(
        await hardhat("disp:merge", "--dir", dir, "--out", out),
        "NO_FRAGMENTS",
      );
      expect(line).to.include("fragment 0 does not match its CID");
      expect((await readdir(work)).sort()).to.deep.equal(["pdf"]);
    });

    it("merge refuses a manifest naming a format the file codec does not know", async () => {
      const dir = join(work, "svg");
      await split("camera.svg", dir);
      const manifest = await readFile(join(dir, "manifest.json"), "utf8");
      await writeFile(join(dir, "manifest.json"), manifest.replace('"format":"svg"', '"format":"tga"'));
      const out = join(work, "copy.svg");
      expectOneLineError(await hardhat("disp:merge", "--dir", dir, "--out", out), "MANIFEST_INVALID");
      expect((await readdir(work)).sort()).to.deep.equal(["svg"]);
    });

    it("split refuses an empty file with the file codec", async () => {
      const empty = join(work, "empty.webp");
      await writeFile(empty, new Uint8Array());
      const dir = join(work, "out");
      expectOneLineError(
        await hardhat("disp:split", "--image", empty, "--codec", "file", "--out", dir),
        "FILE_EMPTY",
      );
      expect(await readdir(work)).to.deep.equal(["empty.webp"]);
    });

    it("split with a pooling codec refuses a WebP, naming --mode replicate", async () => {
      const dir = join(work, "out");
      const run = await hardhat("disp:split", "--image", fixturePath("any-file/chelsea.webp"), "--out", dir);
      expect(expectOneLineError(run, "IMAGE_UNSUPPORTED")).to.include("--mode replicate");
      expect(await readdir(work)).to.deep.equal([]);
    });
  });
});

describe("outputPath: the file a task writes is named by its real format", () => {
  const exact = { extension: "jpg", fidelity: "fileExact" } as const;

  it("keeps a name of the result's format, any of its spellings", () => {
    expect(outputPath("out/back.jpg", exact)).to.equal("out/back.jpg");
    expect(outputPath("out/back.JPEG", exact)).to.equal("out/back.JPEG");
    expect(outputPath("photo.nef", { extension: "tiff", fidelity: "fileExact" })).to.equal("photo.nef");
  });

  it("adds the real extension to a name without one", () => {
    expect(outputPath("out.d/back", exact)).to.equal("out.d/back.jpg");
    expect(outputPath("back.", exact)).to.equal("back.jpg");
  });

  it("takes any name for a file of unrecognised format", () => {
    expect(outputPath("notes.txt", { extension: "bin", fidelity: "fileExact" })).to.equal("notes.txt");
  });

  it("refuses a name of another format, saying what the result is and where to write it", () => {
    const refused = (path: string, result: Parameters<typeof outputPath>[1]): string => {
      try {
        outputPath(path, result);
      } catch (error) {
        expect(isDispError(error, "TASK_INPUT")).to.equal(true);
        return (error as Error).message;
      }
      throw new Error("expected a refusal");
    };
    expect(refused("back.png", exact)).to.equal(
      "--out back.png: the result is a JPEG image, not what .png names; write it to back.jpg (or give no extension)",
    );
    expect(refused("back.jpg", { extension: "png", fidelity: "approximate" })).to.include(
      "an approximation, written as a PNG image",
    );
  });
});
