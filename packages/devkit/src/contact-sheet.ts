import { Jimp, loadFont, measureText, type JimpInstance } from "jimp";
import { SANS_16_BLACK, SANS_16_WHITE, SANS_32_BLACK, SANS_32_WHITE } from "jimp/fonts";

import { chooseColorType, DEFAULT_DEFLATE_LEVEL, encodePng } from "@disp/core";
import type { RgbaImage } from "@disp/protocol";

import { BORDER, layoutContactSheet, type ContactSheetPlan } from "./contact-sheet-layout.js";
import { ContactSheetError } from "./errors.js";

export { MAX_SHEET_WIDTH, type ContactSheetPlan, type PanelPlacement } from "./contact-sheet-layout.js";

export interface SheetPanel {
  /** One line; the bundled bitmap fonts cover printable ASCII and Latin-1. */
  readonly label: string;
  readonly image: RgbaImage;
}

export interface ContactSheetOptions {
  /** Drawn centred above the panels. */
  readonly title?: string;
  /** The original is scaled down to fit a square of this side; default 480. */
  readonly maxPanelWidth?: number;
  /** 0xRRGGBBAA; default opaque white. Labels turn white on a dark background. */
  readonly background?: number;
}

export const DEFAULT_MAX_PANEL_WIDTH = 480;
const WHITE = 0xffffffff;
const BORDER_COLOUR = 0x808080ff;

type Font = Awaited<ReturnType<typeof loadFont>>;
interface Fonts {
  readonly label: Font;
  readonly title: Font;
}

// The fonts are jimp's bundled bitmap fonts (files in @jimp/plugin-print): loaded once, offline.
const fontCache = new Map<string, Promise<Font>>();
function font(path: string): Promise<Font> {
  let loading = fontCache.get(path);
  if (loading === undefined) {
    loading = loadFont(path);
    // A failed load must not stay cached.
    loading.catch(() => fontCache.delete(path));
    fontCache.set(path, loading);
  }
  return loading;
}

async function fontsFor(background: number): Promise<Fonts> {
  const dark = isDark(background);
  const [label, title] = await Promise.all([
    font(dark ? SANS_16_WHITE : SANS_16_BLACK),
    font(dark ? SANS_32_WHITE : SANS_32_BLACK),
  ]);
  return { label, title };
}

/** Perceived luminance (Rec. 601) under half: black text would not read there. */
function isDark(rgba: number): boolean {
  const r = (rgba >>> 24) & 255;
  const g = (rgba >>> 16) & 255;
  const b = (rgba >>> 8) & 255;
  return 0.299 * r + 0.587 * g + 0.114 * b < 128;
}

/**
 * Where `composeContactSheet` puts every panel and label, without drawing anything. The first
 * panel is the original: alone on the first row; the others follow at the same scale.
 */
export async function planContactSheet(
  panels: readonly SheetPanel[],
  options: ContactSheetOptions = {},
): Promise<ContactSheetPlan> {
  return (await prepare(panels, options)).plan;
}

/**
 * Lays out labelled panels in rows (the original first, large; the others in a grid at the same
 * scale, so fragments show at their true size next to it), scaled down to fit, each framed by a
 * thin border with its label drawn under it; returns PNG bytes.
 */
export async function composeContactSheet(
  panels: readonly SheetPanel[],
  options: ContactSheetOptions = {},
): Promise<Uint8Array> {
  const { plan, fonts, background } = await prepare(panels, options);
  const sheet = new Jimp({ width: plan.width, height: plan.height, color: background });
  if (plan.title !== undefined)
    sheet.print({ font: fonts.title, x: plan.title.x, y: plan.title.y, text: plan.title.text });
  plan.panels.forEach((place, i) => {
    const { image } = panels[i] as SheetPanel;
    // The frame is drawn as a ring, so a translucent panel still shows over the background.
    const { x, y, width, height } = place;
    sheet.scan(x - BORDER, y - BORDER, width + 2 * BORDER, height + 2 * BORDER, (px, py, at) => {
      if (px < x || py < y || px >= x + width || py >= y + height) {
        sheet.bitmap.data.writeUInt32BE(BORDER_COLOUR, at);
      }
    });
    sheet.composite(scaled(image, place.width, place.height), place.x, place.y);
    sheet.print({ font: fonts.label, x: place.labelX, y: place.labelY, text: place.label });
  });
  const { data } = sheet.bitmap;
  const pixels: RgbaImage = {
    width: plan.width,
    height: plan.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
  return encodePng(pixels, {
    colorType: chooseColorType(pixels),
    filter: "adaptive",
    deflateLevel: DEFAULT_DEFLATE_LEVEL,
  });
}

async function prepare(
  panels: readonly SheetPanel[],
  options: ContactSheetOptions,
): Promise<{ plan: ContactSheetPlan; fonts: Fonts; background: number }> {
  check(panels, options);
  const background = options.background ?? WHITE;
  const fonts = await fontsFor(background);
  const plan = layoutContactSheet(
    panels,
    options.maxPanelWidth ?? DEFAULT_MAX_PANEL_WIDTH,
    {
      labelWidth: (text) => measureText(fonts.label, text),
      labelHeight: fonts.label.common.lineHeight,
      titleWidth: (text) => measureText(fonts.title, text),
      titleHeight: fonts.title.common.lineHeight,
    },
    options.title,
  );
  return { plan, fonts, background };
}

function check(panels: readonly SheetPanel[], options: ContactSheetOptions): void {
  if (panels.length === 0) throw new ContactSheetError("a contact sheet needs at least one panel");
  const { maxPanelWidth, background } = options;
  if (maxPanelWidth !== undefined && !(Number.isInteger(maxPanelWidth) && maxPanelWidth >= 1)) {
    throw new ContactSheetError(`maxPanelWidth ${maxPanelWidth} is not a positive integer`);
  }
  if (
    background !== undefined &&
    !(Number.isInteger(background) && background >= 0 && background <= 0xffffffff)
  ) {
    throw new ContactSheetError(`background ${background} is not a 0xRRGGBBAA colour`);
  }
  for (const { label, image } of panels) {
    const { width, height, data } = image;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 1 ||
      height < 1 ||
      data.length !== width * height * 4
    ) {
      throw new ContactSheetError(`panel "${label}" is not a ${width} × ${height} RGBA image`);
    }
  }
}

/**
 * The panel at its planned size. jimp's default resize averages every source pixel a target pixel
 * covers when shrinking (better than bilinear, which skips pixels and aliases at large factors).
 */
function scaled(image: RgbaImage, width: number, height: number): JimpInstance {
  const { data } = image;
  // Copied into a buffer of its own: jimp's fromBitmap wraps `data.buffer` whole, without copying
  // and ignoring byteOffset (a pooled Buffer.from slice showed other memory), and resizes in place.
  const copy = Buffer.alloc(data.byteLength);
  copy.set(data);
  const jimp = Jimp.fromBitmap({ width: image.width, height: image.height, data: copy });
  if (width !== image.width || height !== image.height) jimp.resize({ w: width, h: height });
  return jimp;
}
