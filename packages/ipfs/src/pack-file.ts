import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

import { HEADER_BYTES, headerOf, scanPack, type PackRecord } from "./pack-format.js";

/** Where a record's data is: which pack file, from which byte, how many bytes. */
export interface Location {
  readonly pack: number;
  readonly offset: number;
  readonly length: number;
}

interface QueuedRecord {
  readonly kind: number;
  readonly key: Uint8Array;
  readonly data: Uint8Array;
  readonly settle: { resolve(location: Location): void; reject(error: unknown): void };
}

/**
 * One append-only pack file and its writer: records queued while a write is in flight go out
 * together in the next positioned `writev`. If a write fails, the file is truncated back to where
 * it was and every record of that write is rejected.
 */
export class PackFile {
  readonly name: string;
  readonly #index: number;
  readonly #file: FileHandle;
  #end: number;
  #queue: QueuedRecord[] = [];
  #writer: Promise<void> | undefined;

  private constructor(name: string, index: number, file: FileHandle, end: number) {
    this.name = name;
    this.#index = index;
    this.#file = file;
    this.#end = end;
  }

  /** Opens (creating if missing) and scans the pack file `name`, the store's pack number `index`. */
  static async open(name: string, index: number, onRecord: (record: PackRecord) => void): Promise<PackFile> {
    const file = await open(name, constants.O_RDWR | constants.O_CREAT);
    try {
      return new PackFile(name, index, file, await scanPack(file, name, onRecord));
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** Appends a record; resolves with where its data is once it is written. */
  append(kind: number, key: Uint8Array, data: Uint8Array): Promise<Location> {
    const written = new Promise<Location>((resolve, reject) => {
      this.#queue.push({ kind, key, data, settle: { resolve, reject } });
    });
    this.#writer ??= this.#drain();
    return written;
  }

  /** Reads `into.length` bytes of data at `offset`; returns how many it read. */
  async read(offset: number, into: Uint8Array): Promise<number> {
    return (await this.#file.read(into, 0, into.length, offset)).bytesRead;
  }

  /** Waits for the writes queued so far. */
  async idle(): Promise<void> {
    await this.#writer;
  }

  async sync(): Promise<void> {
    await this.#writer;
    await this.#file.datasync();
  }

  async close(): Promise<void> {
    await this.#writer;
    await this.#file.close();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        await this.#write(batch);
      }
    } finally {
      this.#writer = undefined;
    }
  }

  async #write(batch: readonly QueuedRecord[]): Promise<void> {
    const start = this.#end;
    const locations: Location[] = [];
    let end = start;
    try {
      const buffers: Uint8Array[] = [];
      for (const { kind, key, data } of batch) {
        buffers.push(headerOf(kind, key, data.length), key, data);
        end += HEADER_BYTES + key.length;
        locations.push({ pack: this.#index, offset: end, length: data.length });
        end += data.length;
      }
      const { bytesWritten } = await this.#file.writev(buffers, start);
      if (bytesWritten !== end - start) throw new Error(`wrote ${bytesWritten} of ${end - start} bytes`);
    } catch (error) {
      await this.#file.truncate(start).catch(() => undefined);
      for (const record of batch) record.settle.reject(error);
      return;
    }
    this.#end = end;
    batch.forEach((record, i) => record.settle.resolve(locations[i] as Location));
  }
}
