import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import {
  chooseColorType,
  decodeImage,
  DEFAULT_DEFLATE_LEVEL,
  DEFAULT_PNG_FILTER,
  encodePng,
  FORMAT_EXTENSIONS,
  formatKernel,
  parseKernel,
  sniffFormat,
} from "@disp/core";
import { imageIdHex } from "@disp/client";
import { composeContactSheet, runDemo, type DemoOutcome } from "@disp/devkit";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction, readInput, writeOutputs } from "./cli.js";
import { progressBar } from "./progress-bar.js";
import { parityFileName } from "./split.js";

interface DemoArgs {
  image: string | undefined;
  kernel: string;
  parity: number;
  out: string;
}

/** The default photograph: a public-domain launch photo (see test/fixtures/LICENSES.md). */
const DEFAULT_IMAGE = "test/fixtures/rocket.jpg";

/** disp:demo — the whole product on the in-process network with embedded IPFS nodes. */
export default cliAction(async (args: DemoArgs, hre: HardhatRuntimeEnvironment) => {
  const imagePath = args.image ?? join(hre.config.paths.root, DEFAULT_IMAGE);
  const kernel = parseKernel(args.kernel);
  const image = await readInput(imagePath);
  const out = resolve(args.out);
  const directory = await mkdtemp(join(tmpdir(), "disp-demo-"));
  const bar = progressBar();
  let outcome: DemoOutcome;
  try {
    const connection = await hre.network.create();
    outcome = await runDemo(connection, {
      image,
      kernel,
      parity: args.parity,
      directory,
      say: (line) => {
        bar.stop();
        console.log(`• ${line}`);
      },
      onProgress: bar.onProgress,
    });
  } finally {
    bar.stop();
    await rm(directory, { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
  const shape = `${formatKernel(kernel)} + ${args.parity} parity`;
  const written = await writePictures(out, image, imagePath, outcome, shape);
  console.log(`• wrote ${written.length} files to ${out}: ${written.join(", ")}`);
  const source = image.length;
  console.log(
    JSON.stringify({
      imageId: imageIdHex(outcome.stored.imageId),
      exact: outcome.exact.exact && outcome.exact.contentHashVerified,
      fidelity: outcome.exact.fidelity,
      degradedPsnrDb: round(outcome.degradedPsnrDb),
      parity: outcome.stored.parity,
      exactWithLostSlots: outcome.exactWithLostSlots,
      exactWithLost: outcome.exactWithLost,
      repairedExact: outcome.repairedExact,
      tamperedRejected: outcome.tamperedRejected,
      replicateExact: outcome.replicateExact,
      proofsAccepted: outcome.proofs.proofsAccepted,
      cheaterCaughtInEpochs: outcome.proofs.cheaterCaughtInEpochs,
      autoRepairedExact: outcome.proofs.autoRepairedExact,
      visibility: outcome.privacy.visibility,
      outsiderGetsPlaintext: outcome.privacy.outsiderGetsPlaintext,
      granteeExact: outcome.privacy.granteeExact,
      revokedReadsRotatedVersion: outcome.privacy.revokedReadsRotatedVersion,
      storedBytesRatio: round(outcome.stored.storedBytes / source),
      fullReplicationBytesRatio: round(outcome.replicated.storedBytes / source),
      storeMs: Math.round(outcome.storeMs),
      retrieveMs: Math.round(outcome.retrieveMs),
    }),
  );
});

async function writePictures(
  out: string,
  image: Uint8Array,
  imagePath: string,
  outcome: DemoOutcome,
  kernel: string,
): Promise<string[]> {
  const extension = outcome.exact.extension;
  const original = await decodeImage(image);
  // The fragments are pictures; the parity shards beside them are not.
  const k = Number(outcome.exact.shards.split("+")[0]);
  const fragmentPixels = await Promise.all(outcome.fragments.slice(0, k).map((bytes) => decodeImage(bytes)));
  const sheet = await composeContactSheet(
    [
      { label: `original (${imagePath.split("/").at(-1) ?? "image"})`, image: original },
      ...fragmentPixels.map((pixels, i) => ({ label: `fragment ${i}`, image: pixels })),
      { label: "rebuilt: bit-exact", image: outcome.exactPixels },
      {
        label: `fragments ${outcome.degraded.missing.join(",")} lost: ${outcome.degradedPsnrDb.toFixed(1)} dB`,
        image: outcome.degradedPixels,
      },
    ],
    { title: `DISP ${kernel} (${outcome.stored.codec} codec)` },
  );
  const files = [
    ...outcome.fragments.map((bytes, i) => ({
      path: join(
        out,
        i < k ? `fragment-${i}.${FORMAT_EXTENSIONS[sniffFormat(bytes) ?? "png"]}` : parityFileName(i),
      ),
      bytes,
    })),
    { path: join(out, `rebuilt.${extension}`), bytes: outcome.exact.bytes },
    {
      path: join(out, "approximate.png"),
      bytes: await encodePng(outcome.degradedPixels, {
        colorType: chooseColorType(outcome.degradedPixels),
        filter: DEFAULT_PNG_FILTER,
        deflateLevel: DEFAULT_DEFLATE_LEVEL,
      }),
    },
    { path: join(out, "contact-sheet.png"), bytes: sheet },
  ];
  await Promise.all(files.map(({ path }) => rm(path, { force: true })));
  await writeOutputs(files);
  return files.map(({ path }) => path.split("/").at(-1) ?? path);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
