import { Deflate, deflate as canonicalDeflate } from "pako";
import { deflate } from "node:zlib";

/** The zlib settings that, on the same filtered data, give the same compressed stream. */
export interface DeflateSettings {
  readonly level: number;
  readonly memLevel: number;
  readonly strategy: number;
  readonly windowBits: number;
}

/** Input fed in pieces of this size, so a wrong guess is dropped soon after its output first differs. */
const COMPARE_CHUNK = 64 * 1024;

/**
 * The settings under which Node's zlib turns `filtered` into exactly `stream`, if any of the usual
 * ones do: the zlib header names the window and a level class (FLEVEL), and libpng, Pillow and
 * ImageMagick vary level, strategy and memLevel within that. Each guess compresses only until its
 * output first differs from `stream`, so wrong guesses cost little and the right one is the proof.
 *
 * The compressor is pako, a line-by-line port of zlib's deflate, so its output is what libpng and
 * Pillow get from the system zlib. Node's own zlib is Chromium's fork, whose faster match finder
 * gives other (valid) streams below level 9, so it cannot reproduce a file's IDAT.
 */
export async function findDeflateSettings(
  filtered: Uint8Array,
  stream: Uint8Array,
): Promise<DeflateSettings | undefined> {
  for (const settings of candidates(stream)) {
    if (await deflatesTo(filtered, stream, settings)) return settings;
  }
  return undefined;
}

function candidates(stream: Uint8Array): DeflateSettings[] {
  const cmf = stream[0];
  const flg = stream[1];
  if (cmf === undefined || flg === undefined || (cmf & 0x0f) !== 8 || (flg & 0x20) !== 0) return [];
  const windowBits = (cmf >> 4) + 8;
  if (windowBits < 9 || windowBits > 15) return [];
  // zlib writes FLEVEL 0 for levels 0-1 and for the Huffman-only and RLE strategies, 1 for 2-5,
  // 2 for 6, 3 for 7-9.
  const byClass: Record<number, readonly (readonly [level: number, strategy: number])[]> = {
    0: [
      [1, 0],
      [1, 1],
      [0, 0],
      [6, 2],
      [6, 3],
      [9, 3],
      [9, 2],
      [1, 2],
      [1, 3],
    ],
    1: [2, 3, 4, 5].flatMap((level) => [[level, 0] as const, [level, 1] as const]),
    2: [
      [6, 0],
      [6, 1],
    ],
    3: [9, 7, 8].flatMap((level) => [[level, 0] as const, [level, 1] as const]),
  };
  const pairs = byClass[flg >> 6] ?? [];
  return [8, 9].flatMap((memLevel) =>
    pairs.map(([level, strategy]) => ({ level, memLevel, strategy, windowBits })),
  );
}

const PAKO_LEVELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** The settings as pako's options (its types list the levels; ours are checked 0-9 where read). */
function pakoOptions(settings: DeflateSettings) {
  const level = PAKO_LEVELS[settings.level];
  if (level === undefined) throw new RangeError(`deflate level ${settings.level} is not 0-9`);
  return { level, memLevel: settings.memLevel, strategy: settings.strategy, windowBits: settings.windowBits };
}

function deflatesTo(input: Uint8Array, expected: Uint8Array, settings: DeflateSettings): Promise<boolean> {
  const compressor = new Deflate(pakoOptions(settings));
  let at = 0;
  let same = true;
  compressor.onData = (piece) => {
    const bytes = piece as Uint8Array;
    if (!same) return;
    if (at + bytes.length > expected.length) same = false;
    else for (let i = 0; i < bytes.length && same; i++) same = bytes[i] === expected[at + i];
    at += bytes.length;
  };
  return new Promise((resolve) => {
    let offset = 0;
    // Feeds the input in pieces between turns of the event loop, stopping at the first difference.
    const step = () => {
      const end = Math.min(offset + COMPARE_CHUNK * 16, input.length);
      for (; offset < end && same; offset += COMPARE_CHUNK) {
        compressor.push(input.subarray(offset, Math.min(offset + COMPARE_CHUNK, end)), false);
      }
      if (!same) resolve(false);
      else if (offset < input.length) setImmediate(step);
      else {
        compressor.push(new Uint8Array(0), true);
        resolve(same && compressor.err === 0 && at === expected.length);
      }
    };
    step();
  });
}

/** The recorded settings' stream: canonical zlib (see findDeflateSettings), on the calling thread. */
export function deflateExactly(data: Uint8Array, settings: DeflateSettings): Uint8Array {
  return canonicalDeflate(data, pakoOptions(settings));
}

/** Compresses with Node's zlib on its thread pool: fast, for files that need not match another's bytes. */
export function deflateWith(data: Uint8Array, settings: Partial<DeflateSettings>): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    deflate(data, settings, (error, out) => {
      if (error !== null) reject(error);
      else resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    });
  });
}
