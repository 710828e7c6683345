/**
 * `pnpm exec tsx scripts/contact-sheet.ts [--image <file>] [--kernel 2x2] [--lose 1] [--out <png>]`:
 * splits the image, loses one fragment, rebuilds it exactly from all fragments and approximately
 * without the lost one, and writes the contact sheet of the lot. For looking at, not measuring.
 */
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";

import { type RgbaImage } from "@disp/protocol";
import { decodeImage, formatKernel, merge, parseKernel, psnr, recover, split } from "@disp/core";
import { composeContactSheet, type SheetPanel } from "@disp/devkit";

const { values } = parseArgs({
  options: {
    image: { type: "string", default: "test/fixtures/astronaut.png" },
    kernel: { type: "string", default: "2x2" },
    lose: { type: "string", default: "1" },
    out: { type: "string", default: "contact-sheet.png" },
  },
});
const kernel = parseKernel(values.kernel);
const lost = Number(values.lose);

const original = await decodeImage(await readFile(values.image));
const { layout, fragments } = split(original, kernel);
if (!Number.isInteger(lost) || lost < 0 || lost >= fragments.length) {
  throw new Error(`--lose ${values.lose}: pick a fragment index from 0 to ${fragments.length - 1}`);
}
const rebuilt = merge(layout, fragments);
const exact = Buffer.from(rebuilt.data).equals(Buffer.from(original.data));
const approximate = recover(
  layout,
  fragments.map((fragment, i) => (i === lost ? undefined : fragment)),
).image;

const panels: SheetPanel[] = [
  { label: `original ${original.width} x ${original.height}`, image: original },
  ...fragments.map((fragment, i) => ({
    label: i === lost ? `fragment ${i} (lost)` : `fragment ${i}`,
    image: i === lost ? crossedOut(fragment) : fragment,
  })),
  { label: `rebuilt from all fragments${exact ? ", bit-exact" : ", NOT exact"}`, image: rebuilt },
  {
    label: `approximate without fragment ${lost}, PSNR ${psnr(original, approximate).toFixed(1)} dB`,
    image: approximate,
  },
];
const title = `${basename(values.image)}: ${formatKernel(kernel)} pooling, fragment ${lost} lost`;
await writeFile(values.out, await composeContactSheet(panels, { title }));
console.log(`wrote ${values.out}`);

/** The lost fragment, faded to grey with a red cross: shows its place without its pixels. */
function crossedOut(image: RgbaImage): RgbaImage {
  const { width, height } = image;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      const grey =
        0.299 * (image.data[at] as number) +
        0.587 * (image.data[at + 1] as number) +
        0.114 * (image.data[at + 2] as number);
      const faded = Math.round(200 + grey * 0.2);
      const onCross =
        Math.abs(x * height - y * width) < 3 * Math.max(width, height) ||
        Math.abs((width - 1 - x) * height - y * width) < 3 * Math.max(width, height);
      data.set(onCross ? [200, 30, 30, 255] : [faded, faded, faded, 255], at);
    }
  }
  return { width, height, data };
}
