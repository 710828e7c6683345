import { createInflate } from "node:zlib";

import { isPngColorType } from "../png/chunks.js";
import { filteredBytes } from "../png/raster.js";
import { corrupt } from "./checks.js";

const SIGNATURE_BYTES = 8;
const IDAT = 0x49444154;
const IEND = 0x49454e44;

/**
 * Refuses a PNG whose image data is missing or shorter than its header's size needs, before a
 * decoder sees it: pngjs (jimp's PNG decoder) fills missing rows from uninitialised memory, so
 * such a file would otherwise come back as a picture of whatever the heap held. The chunks are
 * walked with bounds checks and the IDAT stream is inflated and counted, never kept.
 */
export async function checkPngImageData(bytes: Uint8Array): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = imageDataChunks(view);
  if (data.length === 0) throw corrupt("png", "it has no image data (no IDAT chunk)");
  const needed = imageDataBytes(view);
  const inflated = await inflatedLength(data, needed).catch((error: unknown) => {
    const detail = error instanceof Error ? error.message : String(error);
    throw corrupt("png", `its image data does not inflate (${detail})`);
  });
  if (inflated < needed) {
    throw corrupt("png", `its image data holds ${inflated} of the ${needed} bytes its size needs`);
  }
}

/** The IDAT chunks' payloads, in order, up to IEND. */
function imageDataChunks(view: DataView): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = SIGNATURE_BYTES;
  for (;;) {
    if (offset + 12 > view.byteLength) throw corrupt("png", "it ends before its IEND chunk");
    const length = view.getUint32(offset);
    const type = view.getUint32(offset + 4);
    const end = offset + 12 + length;
    if (end > view.byteLength)
      throw corrupt("png", `a chunk at byte ${offset} runs past the end of the file`);
    if (type === IEND) return chunks;
    if (type === IDAT) chunks.push(new Uint8Array(view.buffer, view.byteOffset + offset + 8, length));
    offset = end;
  }
}

/** Bytes the filtered scanlines take, from IHDR (already checked by readImageHeader). */
function imageDataBytes(view: DataView): number {
  const colorType = view.getUint8(25);
  if (!isPngColorType(colorType)) {
    throw corrupt("png", `unknown colour type ${colorType}`);
  }
  return filteredBytes({
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: view.getUint8(24),
    colorType,
    interlace: view.getUint8(28) === 0 ? 0 : 1,
  });
}

/** How many bytes `chunks` inflate to, counting no further than `limit`. */
function inflatedLength(chunks: readonly Uint8Array[], limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflate = createInflate({ chunkSize: 1 << 20 });
    let total = 0;
    inflate.on("data", (piece: Buffer) => {
      total += piece.length;
      if (total >= limit) {
        inflate.destroy();
        resolve(total);
      }
    });
    inflate.on("end", () => resolve(total));
    inflate.on("error", reject);
    for (const chunk of chunks) inflate.write(chunk);
    inflate.end();
  });
}
