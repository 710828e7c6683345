/**
 * PNG's five scanline filters (spec section 9) on one row: `line` the row's bytes, `prior` the
 * unfiltered row above (zeros for the first), `stride` the bytes per complete pixel (at least 1).
 */
export const FILTER_TYPES = 5;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Undoes filter `type` in place on `line`; false when the type is not one of the five. */
export function unfilterRow(type: number, line: Uint8Array, prior: Uint8Array, stride: number): boolean {
  const n = line.length;
  switch (type) {
    case 0:
      return true;
    case 1:
      for (let i = stride; i < n; i++) line[i] = ((line[i] as number) + (line[i - stride] as number)) & 0xff;
      return true;
    case 2:
      for (let i = 0; i < n; i++) line[i] = ((line[i] as number) + (prior[i] as number)) & 0xff;
      return true;
    case 3:
      for (let i = 0; i < n; i++) {
        const left = i >= stride ? (line[i - stride] as number) : 0;
        line[i] = ((line[i] as number) + ((left + (prior[i] as number)) >> 1)) & 0xff;
      }
      return true;
    case 4:
      for (let i = 0; i < n; i++) {
        const left = i >= stride ? (line[i - stride] as number) : 0;
        const upLeft = i >= stride ? (prior[i - stride] as number) : 0;
        line[i] = ((line[i] as number) + paeth(left, prior[i] as number, upLeft)) & 0xff;
      }
      return true;
    default:
      return false;
  }
}

/** Writes `line` filtered with `type` (0-4) into `out` (same length). */
export function filterRow(
  type: number,
  line: Uint8Array,
  prior: Uint8Array,
  stride: number,
  out: Uint8Array,
): void {
  const n = line.length;
  switch (type) {
    case 0:
      out.set(line);
      return;
    case 1:
      for (let i = 0; i < n; i++) {
        out[i] = ((line[i] as number) - (i >= stride ? (line[i - stride] as number) : 0)) & 0xff;
      }
      return;
    case 2:
      for (let i = 0; i < n; i++) out[i] = ((line[i] as number) - (prior[i] as number)) & 0xff;
      return;
    case 3:
      for (let i = 0; i < n; i++) {
        const left = i >= stride ? (line[i - stride] as number) : 0;
        out[i] = ((line[i] as number) - ((left + (prior[i] as number)) >> 1)) & 0xff;
      }
      return;
    default:
      for (let i = 0; i < n; i++) {
        const left = i >= stride ? (line[i - stride] as number) : 0;
        const upLeft = i >= stride ? (prior[i - stride] as number) : 0;
        out[i] = ((line[i] as number) - paeth(left, prior[i] as number, upLeft)) & 0xff;
      }
  }
}
