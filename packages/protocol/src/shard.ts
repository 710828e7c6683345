import { CID } from "multiformats/cid";
import { z } from "zod";

import type { Hex32 } from "./hash.js";

const HEX32 = /^0x[0-9a-f]{64}$/;
/** Typed as the 0x-hex the hashing helpers return, so a digest read back is a bytes32 again. */
export const hex32 = z.custom<Hex32>((value) => typeof value === "string" && HEX32.test(value), {
  message: "must be 0x followed by 64 lowercase hex digits",
});

const cidString = z.string().refine(
  (text) => {
    try {
      return CID.parse(text).toString() === text;
    } catch {
      return false;
    }
  },
  { message: "must be a CID in its canonical string form" },
);

/** One stored shard, a fragment or a parity shard: what its Merkle leaf and its node check. */
export const fragmentEntrySchema = z.strictObject({
  /** Its leaf index: 0 .. k-1 for fragments, k .. k+m-1 for parity shards. */
  index: z.int().min(0),
  cid: cidString,
  /** Bytes of the shard file. */
  size: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** SHA-256 of the shard file: the digest in its Merkle leaf. */
  sha256: hex32,
});

export type FragmentEntry = z.infer<typeof fragmentEntrySchema>;
