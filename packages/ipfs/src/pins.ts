import { Key, type Datastore } from "interface-datastore";
import { CID } from "multiformats/cid";

const PREFIX = "/disp-pins";
const NOTHING = new Uint8Array(0);

/**
 * The embedded node's recursive pins: one datastore record per pinned root, written after every
 * block of the DAG has been verified and stored.
 *
 * Helia's own pinning writes a record per block (a 64 MiB file: 257 file writes, plus a second
 * read of every block), which measured at more than twice the cost of the import itself. Helia's
 * `gc()` sees only those per-block records, so the embedded node replaces it with a mark and sweep
 * from these roots (`collectGarbage` in gc.ts).
 */
export class PinRecords {
  readonly #datastore: Datastore;

  constructor(datastore: Datastore) {
    this.#datastore = datastore;
  }

  async has(cid: CID): Promise<boolean> {
    return this.#datastore.has(keyOf(cid));
  }

  async add(cid: CID): Promise<void> {
    await this.#datastore.put(keyOf(cid), NOTHING);
  }

  /** Removes the pin; false if there was none. */
  async remove(cid: CID): Promise<boolean> {
    const key = keyOf(cid);
    if (!(await this.#datastore.has(key))) return false;
    await this.#datastore.delete(key);
    return true;
  }

  async list(): Promise<CID[]> {
    const cids: CID[] = [];
    for await (const key of this.#datastore.queryKeys({ prefix: PREFIX }))
      cids.push(CID.parse(key.baseNamespace()));
    return cids;
  }
}

/** CIDv1 in base32 (CIDv0 upgraded), so a CID has one key however it was written. */
function keyOf(cid: CID): Key {
  return new Key(`${PREFIX}/${cid.toV1().toString()}`);
}
