import { readdirSync, readFileSync } from "node:fs";

import sharp, { type OutputInfo } from "sharp";

const CORPUS = new URL("../../fixtures/png-corpus/", import.meta.url);

/** The PNG corpus (scripts/make-png-corpus.py): file names, sorted. */
export function pngCorpus(): string[] {
  return readdirSync(CORPUS)
    .filter((name) => name.endsWith(".png"))
    .sort();
}

export function readPngCorpus(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, CORPUS)));
}

export interface Chunk {
  readonly type: string;
  readonly data: Buffer;
}

/** A PNG's chunks in order, read here with no code from the codec under test. */
export function chunksOf(bytes: Uint8Array): Chunk[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  for (let offset = 8; offset + 12 <= buffer.length;) {
    const length = buffer.readUInt32BE(offset);
    chunks.push({
      type: buffer.toString("latin1", offset + 4, offset + 8),
      data: buffer.subarray(offset + 8, offset + 8 + length),
    });
    offset += 12 + length;
  }
  return chunks;
}

/** Every chunk but the image data, as "type:hex" lines: what a rebuilt file must keep. */
export function metadataOf(bytes: Uint8Array): string[] {
  return chunksOf(bytes)
    .filter((chunk) => chunk.type !== "IDAT")
    .map((chunk) => `${chunk.type}:${chunk.data.toString("hex")}`);
}

/** The samples at the file's own depth, by libvips (sharp): 16-bit stays 16-bit. */
export async function samplesOf(bytes: Uint8Array): Promise<{ info: OutputInfo; data: Buffer }> {
  const deep = bytes[24] === 16;
  const image = sharp(bytes);
  const { data, info } = await (deep ? image.raw({ depth: "ushort" }) : image.raw()).toBuffer({
    resolveWithObject: true,
  });
  return { info, data };
}

/** The file with its first chunk of `type` changed by `edit` (the CRC left as it was, unless `fixCrc`). */
export function withChunk(bytes: Uint8Array, type: string, edit: (data: Buffer) => void): Uint8Array {
  const copy = Buffer.from(bytes);
  for (let offset = 8; offset + 12 <= copy.length;) {
    const length = copy.readUInt32BE(offset);
    if (copy.toString("latin1", offset + 4, offset + 8) === type) {
      edit(copy.subarray(offset + 8, offset + 8 + length));
      return new Uint8Array(copy);
    }
    offset += 12 + length;
  }
  throw new Error(`no ${type} chunk`);
}
