/** One scheme's point on the loss-versus-storage panel. */
export interface OverheadPoint {
  readonly scheme: string;
  readonly expansion: number;
  /** Computed yearly loss probability per network, in the order of `networks`. */
  readonly computed: readonly number[];
  /** Simulated yearly loss probability on the first network, when losses were counted. */
  readonly simulated?: { readonly value: number; readonly low: number; readonly high: number };
}

/** One scheme's point on the agreement panel: simulated against computed loss rate. */
export interface AgreementPoint {
  readonly scheme: string;
  readonly computed: number;
  readonly simulated: number;
  readonly low: number;
  readonly high: number;
}

export interface DurabilityPlot {
  readonly networks: readonly string[];
  readonly overhead: readonly OverheadPoint[];
  readonly agreementTitle: string;
  readonly agreement: readonly AgreementPoint[];
}

const WIDTH = 1000;
const HEIGHT = 460;
const PANEL = { top: 50, bottom: 400, leftA: 70, rightA: 520, leftB: 610, rightB: 960 };
const FLOOR_DECADES = 40;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

const text = (x: number, y: number, body: string, extra = ""): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${body.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text>`;

/** log10 of a probability, clamped to the panel's floor (1e-40) so zero and tiny values show. */
const decades = (p: number): number => Math.max(-FLOOR_DECADES, Math.log10(Math.max(p, 1e-300)));

/**
 * The two-panel SVG of docs/durability.svg: left, yearly loss probability (log scale) against
 * stored bytes per object byte, computed for each network plus what the simulation counted;
 * right, simulated against computed loss rates on a network where losses are frequent enough to
 * count, with the y = x diagonal.
 */
export function renderDurabilitySvg(plot: DurabilityPlot): string {
  const parts: string[] = [];
  const maxExpansion = Math.ceil(Math.max(...plot.overhead.map((p) => p.expansion)) + 0.5);
  const xA = (e: number): number =>
    PANEL.leftA + ((e - 1) / (maxExpansion - 1)) * (PANEL.rightA - PANEL.leftA);
  const yA = (d: number): number => PANEL.top + (-d / FLOOR_DECADES) * (PANEL.bottom - PANEL.top);
  parts.push(
    text(
      (PANEL.leftA + PANEL.rightA) / 2,
      25,
      "Yearly loss probability per object vs stored bytes",
      'text-anchor="middle" font-weight="bold"',
    ),
  );
  for (let d = 0; d >= -FLOOR_DECADES; d -= 5) {
    parts.push(`<line x1="${PANEL.leftA}" x2="${PANEL.rightA}" y1="${yA(d)}" y2="${yA(d)}" stroke="#ddd"/>`);
    parts.push(
      text(PANEL.leftA - 8, yA(d) + 4, d === 0 ? "1" : `1e${d}`, 'text-anchor="end" font-size="11"'),
    );
  }
  for (let e = 1; e <= maxExpansion; e++) {
    parts.push(`<line x1="${xA(e)}" x2="${xA(e)}" y1="${PANEL.top}" y2="${PANEL.bottom}" stroke="#eee"/>`);
    parts.push(text(xA(e), PANEL.bottom + 16, `${e}x`, 'text-anchor="middle" font-size="11"'));
  }
  parts.push(
    text(
      (PANEL.leftA + PANEL.rightA) / 2,
      PANEL.bottom + 36,
      "stored bytes / object bytes",
      'text-anchor="middle" font-size="12"',
    ),
  );
  for (const point of plot.overhead) {
    const x = xA(point.expansion);
    point.computed.forEach((p, i) => {
      const color = COLORS[i % COLORS.length] ?? "#000";
      const y = yA(decades(p));
      parts.push(
        i === 0
          ? `<circle cx="${x}" cy="${y}" r="5" fill="${color}"/>`
          : `<rect x="${x - 4}" y="${y - 4}" width="8" height="8" fill="${color}"/>`,
      );
    });
    const first = point.computed[0] ?? 0;
    parts.push(text(x + 8, yA(decades(first)) - 6, point.scheme, 'font-size="11"'));
    if (point.simulated) {
      const { value, low, high } = point.simulated;
      parts.push(
        `<line x1="${x}" x2="${x}" y1="${yA(decades(high))}" y2="${yA(decades(low))}" stroke="#000"/>`,
      );
      parts.push(
        `<circle cx="${x}" cy="${yA(decades(value))}" r="8" fill="none" stroke="#000" stroke-width="1.5"/>`,
      );
    }
  }
  const legend = [
    ...plot.networks.map((name, i) => ({ name: `computed, ${name}`, i })),
    { name: `simulated, ${plot.networks[0] ?? ""} (95 %)`, i: -1 },
  ];
  legend.forEach(({ name, i }, row) => {
    const y = PANEL.top + 240 + row * 16;
    const x = PANEL.leftA + 300;
    parts.push(
      i < 0
        ? `<circle cx="${x}" cy="${y - 4}" r="6" fill="none" stroke="#000" stroke-width="1.5"/>`
        : `<rect x="${x - 5}" y="${y - 9}" width="10" height="10" fill="${COLORS[i % COLORS.length] ?? "#000"}"/>`,
    );
    parts.push(text(x + 12, y, name, 'font-size="11"'));
  });
  parts.push(
    text(PANEL.leftA, PANEL.bottom - 4, "values below 1e-40 drawn at 1e-40", 'font-size="10" fill="#666"'),
  );

  const values = plot.agreement.flatMap((p) => [p.computed, p.low > 0 ? p.low : p.simulated, p.high]);
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  const span = Math.max(1, hi - lo);
  const xB = (v: number): number =>
    PANEL.leftB + ((Math.log10(v) - lo) / span) * (PANEL.rightB - PANEL.leftB);
  const yB = (v: number): number =>
    PANEL.bottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / span) * (PANEL.bottom - PANEL.top);
  parts.push(
    text(
      (PANEL.leftB + PANEL.rightB) / 2,
      25,
      plot.agreementTitle,
      'text-anchor="middle" font-weight="bold"',
    ),
  );
  for (let d = lo; d <= hi; d++) {
    parts.push(
      `<line x1="${PANEL.leftB}" x2="${PANEL.rightB}" y1="${yB(10 ** d)}" y2="${yB(10 ** d)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<line x1="${xB(10 ** d)}" x2="${xB(10 ** d)}" y1="${PANEL.top}" y2="${PANEL.bottom}" stroke="#ddd"/>`,
    );
    parts.push(text(PANEL.leftB - 8, yB(10 ** d) + 4, `1e${d}`, 'text-anchor="end" font-size="11"'));
    parts.push(text(xB(10 ** d), PANEL.bottom + 16, `1e${d}`, 'text-anchor="middle" font-size="11"'));
  }
  parts.push(
    `<line x1="${xB(10 ** lo)}" y1="${yB(10 ** lo)}" x2="${xB(10 ** hi)}" y2="${yB(10 ** hi)}" stroke="#888" stroke-dasharray="4 3"/>`,
  );
  parts.push(
    text(
      (PANEL.leftB + PANEL.rightB) / 2,
      PANEL.bottom + 36,
      "computed losses per object-year",
      'text-anchor="middle" font-size="12"',
    ),
  );
  parts.push(
    text(
      PANEL.leftB - 48,
      (PANEL.top + PANEL.bottom) / 2,
      "simulated",
      `font-size="12" transform="rotate(-90 ${PANEL.leftB - 48} ${(PANEL.top + PANEL.bottom) / 2})" text-anchor="middle"`,
    ),
  );
  for (const point of plot.agreement) {
    const x = xB(point.computed);
    parts.push(`<line x1="${x}" x2="${x}" y1="${yB(point.high)}" y2="${yB(point.low)}" stroke="#000"/>`);
    parts.push(`<circle cx="${x}" cy="${yB(point.simulated)}" r="5" fill="${COLORS[0]}"/>`);
    const nearEdge = x > PANEL.rightB - 90;
    parts.push(
      text(
        nearEdge ? x - 8 : x + 8,
        yB(point.simulated) + 4,
        point.scheme,
        `font-size="11"${nearEdge ? ' text-anchor="end"' : ""}`,
      ),
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
