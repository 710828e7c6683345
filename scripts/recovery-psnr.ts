/**
 * `pnpm bench:recovery`: recovery quality on every fixture photograph with a 2x2 kernel when 1, 2
 * or 3 of the 4 fragments are lost, over every choice of lost fragments. Prints a table, then one
 * JSON line: { "<fixture>": { "1": { "min": dB, "mean": dB }, "2": ..., "3": ... }, ... }.
 */
import { readFile, readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { decodeImage, psnr, recover, split } from "@disp/core";

const fixtures = fileURLToPath(new URL("../test/fixtures/", import.meta.url));

/** Every way to choose `k` of `n` indices. */
function choose(n: number, k: number, from = 0): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = from; first <= n - k; first++) {
    for (const rest of choose(n, k - 1, first + 1)) out.push([first, ...rest]);
  }
  return out;
}

const round = (value: number) => Number(value.toFixed(2));
const report: Record<string, Record<string, { min: number; mean: number }>> = {};
const names = (await readdir(fixtures)).filter((name) => /\.(png|jpe?g)$/i.test(name)).sort();
for (const name of names) {
  const image = await decodeImage(await readFile(fixtures + name));
  const { layout, fragments } = split(image, { height: 2, width: 2 });
  const row: Record<string, { min: number; mean: number }> = {};
  for (const lostCount of [1, 2, 3]) {
    const values = choose(4, lostCount).map((lost) =>
      psnr(
        image,
        recover(
          layout,
          fragments.map((f, i) => (lost.includes(i) ? undefined : f)),
        ).image,
      ),
    );
    row[lostCount] = {
      min: round(Math.min(...values)),
      mean: round(values.reduce((a, b) => a + b) / values.length),
    };
  }
  report[name] = row;
  const cells = [1, 2, 3].map((k) => `${row[k]?.min.toFixed(2)} / ${row[k]?.mean.toFixed(2)}`);
  console.log(`${name.padEnd(14)} ${cells.map((c) => c.padEnd(16)).join(" ")}`);
}
console.log("(min / mean PSNR in dB over every choice of lost fragments; columns: 1, 2, 3 of 4 lost)");
console.log(JSON.stringify(report));
