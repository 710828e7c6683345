import type { RgbaImage } from "@disp/protocol";

/** Where one panel and its label go on the sheet; the panel rectangle excludes its border. */
export interface PanelPlacement {
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Top-left of the label text, drawn centred under the panel. */
  readonly labelX: number;
  readonly labelY: number;
  readonly labelWidth: number;
  readonly labelHeight: number;
}

export interface ContactSheetPlan {
  readonly width: number;
  readonly height: number;
  readonly title?: { readonly text: string; readonly x: number; readonly y: number };
  /** One per panel, in the order given. */
  readonly panels: readonly PanelPlacement[];
}

/** Widths of a text in the label and the title fonts, and their line heights. */
export interface TextMetrics {
  readonly labelWidth: (text: string) => number;
  readonly labelHeight: number;
  readonly titleWidth: (text: string) => number;
  readonly titleHeight: number;
}

/** The sheet never grows wider than this, so it stays viewable in a README. */
export const MAX_SHEET_WIDTH = 1920;
const MARGIN = 16;
const GAP = 16;
export const BORDER = 1;
const LABEL_GAP = 4;
const MAX_CONTENT_WIDTH = MAX_SHEET_WIDTH - 2 * MARGIN;

interface Cell {
  readonly index: number;
  readonly label: string;
  readonly panelWidth: number;
  readonly panelHeight: number;
  readonly labelWidth: number;
  /** Panel plus border, or the label when that is wider. */
  readonly width: number;
}

/**
 * Places the panels: the first (the original) alone on the first row, scaled to fit a
 * maxPanelWidth square; every other panel at the same scale, so a fragment shows at its true size
 * relative to the original. Consecutive panels of equal size form a group that starts its own row
 * (fragments together, full-size results together) and wraps into balanced rows when too wide.
 */
export function layoutContactSheet(
  images: readonly { readonly label: string; readonly image: RgbaImage }[],
  maxPanelWidth: number,
  metrics: TextMetrics,
  title?: string,
): ContactSheetPlan {
  const box = Math.min(maxPanelWidth, MAX_CONTENT_WIDTH - 2 * BORDER);
  const first = images[0];
  if (first === undefined) throw new Error("unreachable: checked by the caller");
  const scale = Math.min(1, box / Math.max(first.image.width, first.image.height));
  const cells = images.map(({ label, image }, index): Cell => {
    // A panel larger than the original still has to fit the box.
    const s = Math.min(scale, box / Math.max(image.width, image.height));
    const panelWidth = Math.max(1, Math.round(image.width * s));
    const panelHeight = Math.max(1, Math.round(image.height * s));
    const text = fit(label, MAX_CONTENT_WIDTH, metrics.labelWidth);
    const labelWidth = metrics.labelWidth(text);
    return {
      index,
      label: text,
      panelWidth,
      panelHeight,
      labelWidth,
      width: Math.max(panelWidth + 2 * BORDER, labelWidth),
    };
  });

  const rows: Cell[][] = [cells.slice(0, 1)];
  for (const group of groupsOfEqualSize(cells.slice(1))) rows.push(...wrap(group));

  const titleText =
    title === undefined || title === "" ? undefined : fit(title, MAX_CONTENT_WIDTH, metrics.titleWidth);
  const titleWidth = titleText === undefined ? 0 : metrics.titleWidth(titleText);
  const contentWidth = Math.max(titleWidth, ...rows.map(rowWidth));
  const width = contentWidth + 2 * MARGIN;

  let y = MARGIN;
  let titlePlacement: ContactSheetPlan["title"];
  if (titleText !== undefined) {
    titlePlacement = { text: titleText, x: MARGIN + Math.floor((contentWidth - titleWidth) / 2), y };
    y += metrics.titleHeight + GAP;
  }
  const placements: PanelPlacement[] = [];
  rows.forEach((row, r) => {
    if (r > 0) y += GAP;
    const panelsHeight = Math.max(...row.map((cell) => cell.panelHeight)) + 2 * BORDER;
    let x = MARGIN + Math.floor((contentWidth - rowWidth(row)) / 2);
    for (const cell of row) {
      const panelX = x + Math.floor((cell.width - cell.panelWidth - 2 * BORDER) / 2) + BORDER;
      placements[cell.index] = {
        label: cell.label,
        x: panelX,
        y: y + BORDER,
        width: cell.panelWidth,
        height: cell.panelHeight,
        labelX: x + Math.floor((cell.width - cell.labelWidth) / 2),
        labelY: y + panelsHeight + LABEL_GAP,
        labelWidth: cell.labelWidth,
        labelHeight: metrics.labelHeight,
      };
      x += cell.width + GAP;
    }
    y += panelsHeight + LABEL_GAP + metrics.labelHeight;
  });
  return { width, height: y + MARGIN, title: titlePlacement, panels: placements };
}

function groupsOfEqualSize(cells: readonly Cell[]): Cell[][] {
  const groups: Cell[][] = [];
  let previous: Cell | undefined;
  for (const cell of cells) {
    const same = previous?.panelWidth === cell.panelWidth && previous.panelHeight === cell.panelHeight;
    if (same) groups[groups.length - 1]?.push(cell);
    else groups.push([cell]);
    previous = cell;
  }
  return groups;
}

/** Splits a group into as few rows as fit the width, with the cells spread evenly over them. */
function wrap(group: readonly Cell[]): Cell[][] {
  for (let rowCount = 1; ; rowCount++) {
    const perRow = Math.ceil(group.length / rowCount);
    const rows: Cell[][] = [];
    for (let i = 0; i < group.length; i += perRow) rows.push(group.slice(i, i + perRow));
    if (perRow === 1 || rows.every((row) => rowWidth(row) <= MAX_CONTENT_WIDTH)) return rows;
  }
}

function rowWidth(row: readonly Cell[]): number {
  return row.reduce((sum, cell) => sum + cell.width, 0) + GAP * (row.length - 1);
}

/** Shortens a text with "..." until it is at most `limit` pixels wide. */
function fit(text: string, limit: number, measure: (text: string) => number): string {
  if (measure(text) <= limit) return text;
  let kept = text.length;
  while (kept > 0 && measure(`${text.slice(0, kept)}...`) > limit) kept--;
  return `${text.slice(0, kept)}...`;
}
