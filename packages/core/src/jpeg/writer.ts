import type { HuffmanSpec, ParsedJpeg } from "./parse.js";

/** Appends JPEG segments to a growing byte list. */
class SegmentWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  raw(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  /** A marker segment: FF code, 16-bit length (payload + 2), payload. */
  segment(code: number, payload: readonly number[]): void {
    const length = payload.length + 2;
    this.raw(Uint8Array.from([0xff, code, length >> 8, length & 0xff, ...payload]));
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

export interface FragmentTables {
  /** Huffman tables by id, for the ids the scan uses. */
  readonly dc: ReadonlyMap<number, HuffmanSpec>;
  readonly ac: ReadonlyMap<number, HuffmanSpec>;
}

/**
 * A stand-alone JPEG for one fragment: the original's quantization tables, sampling factors, frame
 * type and colour transform (Adobe APP14, if any), its own size and Huffman tables, one scan, no
 * restart markers. EXIF, ICC and other metadata stay in the layout record, once.
 */
export function writeFragmentJpeg(
  original: ParsedJpeg,
  width: number,
  height: number,
  tables: FragmentTables,
  scan: Uint8Array,
): Uint8Array {
  const out = new SegmentWriter();
  out.raw(Uint8Array.of(0xff, 0xd8));
  if (original.adobe !== undefined) out.raw(original.adobe);
  const dqt: number[] = [];
  const quantIds = [...new Set(original.components.map((c) => c.tq))].sort((x, y) => x - y);
  for (const id of quantIds) {
    const table = original.quant[id];
    if (table === undefined) continue; // parseJpegHeader guarantees every used table exists
    dqt.push((table.precision << 4) | id);
    for (const value of table.values) {
      if (table.precision === 0) dqt.push(value);
      else dqt.push(value >> 8, value & 0xff);
    }
  }
  out.segment(0xdb, dqt);
  const sof = [8, height >> 8, height & 0xff, width >> 8, width & 0xff, original.components.length];
  for (const c of original.components) sof.push(c.id, (c.h << 4) | c.v, c.tq);
  out.segment(original.sofMarker, sof);
  const dht: number[] = [];
  for (const [tableClass, specs] of [
    [0, tables.dc],
    [1, tables.ac],
  ] as const) {
    for (const [id, spec] of [...specs].sort((x, y) => x[0] - y[0])) {
      dht.push((tableClass << 4) | id, ...spec.counts, ...spec.symbols);
    }
  }
  out.segment(0xc4, dht);
  const sos = [original.scan.length];
  for (const s of original.scan) {
    sos.push(original.components[s.frameIndex]?.id ?? 0, (s.td << 4) | s.ta);
  }
  sos.push(0, 63, 0);
  out.segment(0xda, sos);
  out.raw(scan);
  out.raw(Uint8Array.of(0xff, 0xd9));
  return out.bytes();
}
