import type { FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";

import { IpfsError } from "./errors.js";

/**
 * The records of a pack file (see PackBlockstore). Each record is a header, the block's multihash
 * (its key) and the block's bytes. Header, little-endian:
 *
 *   magic u32 ("DPK1") · kind u8 · key length u8 · data length u32 · CRC-32 u32
 *
 * The CRC-32 covers the kind, the two lengths and the key, so a scan tells a damaged header (an
 * error: the blocks after it would be lost) from a record cut short by a crash (cut off: its put
 * never completed). The data is not covered: every read re-hashes a block against its CID anyway.
 */
export const BLOCK = 1;
/** A tombstone record deletes the block with its key written before it. */
export const TOMBSTONE = 2;
export const HEADER_BYTES = 14;
export const MAX_KEY_BYTES = 0xff;
export const MAX_DATA_BYTES = 0xffff_ffff;
const MAGIC = 0x314b5044;
const ZERO_CHECK_CHUNK = 1024 * 1024;

export interface PackRecord {
  readonly kind: number;
  /** The block's multihash; valid only during the `onRecord` call (the scan reuses the buffer). */
  readonly key: Uint8Array;
  /** Where the record's data starts in the file, and how long it is. */
  readonly offset: number;
  readonly length: number;
}

export function headerOf(kind: number, key: Uint8Array, dataLength: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt8(kind, 4);
  header.writeUInt8(key.length, 5);
  header.writeUInt32LE(dataLength, 6);
  header.writeUInt32LE(checksum(header, key), 10);
  return header;
}

function checksum(header: Buffer, key: Uint8Array): number {
  return crc32(key, crc32(header.subarray(4, 10)));
}

/**
 * Reads every record header of the pack file, in order, calling `onRecord` for each; returns the
 * offset where the next record goes. What a crash can leave at the end of the file is cut off: a
 * record that runs past the end (the key or data of its write never all landed), and zeros (a
 * file system that grew the file before the data reached it). Anything else that is not a record
 * is `IPFS_INTEGRITY`, and the file is left as it is.
 */
export async function scanPack(
  file: FileHandle,
  name: string,
  onRecord: (record: PackRecord) => void,
): Promise<number> {
  const { size } = await file.stat();
  const header = Buffer.alloc(HEADER_BYTES + MAX_KEY_BYTES);
  const cutOff = async (offset: number): Promise<number> => {
    await file.truncate(offset);
    return offset;
  };
  let offset = 0;
  while (offset < size) {
    header.fill(0); // a short read at the end leaves zeros, not the previous header
    const { bytesRead } = await file.read(header, 0, header.length, offset);
    if (bytesRead < HEADER_BYTES) return cutOff(offset);
    const kind = header.readUInt8(4);
    if (header.readUInt32LE(0) !== MAGIC || (kind !== BLOCK && kind !== TOMBSTONE)) {
      if (await zerosToEnd(file, offset, size)) return cutOff(offset);
      throw damaged(name, offset);
    }
    const keyLength = header.readUInt8(5);
    const length = header.readUInt32LE(6);
    const key = header.subarray(HEADER_BYTES, HEADER_BYTES + keyLength);
    if (bytesRead < HEADER_BYTES + keyLength) return cutOff(offset);
    if (header.readUInt32LE(10) !== checksum(header, key)) throw damaged(name, offset);
    const next = offset + HEADER_BYTES + keyLength + length;
    if (next > size) return cutOff(offset);
    onRecord({ kind, key, offset: offset + HEADER_BYTES + keyLength, length });
    offset = next;
  }
  return offset;
}

function damaged(name: string, offset: number): IpfsError {
  return new IpfsError("IPFS_INTEGRITY", `block store ${name}: damaged record header at byte ${offset}`);
}

async function zerosToEnd(file: FileHandle, from: number, size: number): Promise<boolean> {
  const chunk = Buffer.alloc(Math.min(ZERO_CHECK_CHUNK, size - from));
  for (let offset = from; offset < size; offset += chunk.length) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - offset), offset);
    if (chunk.subarray(0, bytesRead).some((byte) => byte !== 0)) return false;
  }
  return true;
}
