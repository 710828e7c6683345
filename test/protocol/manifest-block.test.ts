import { randomBytes } from "node:crypto";

import { encodeImageFile, splitImageFile } from "@disp/core";
import {
  computeCid,
  DEFAULT_UNIXFS,
  isManifestCid,
  ManifestError,
  MANIFEST_UNIXFS,
  MAX_MANIFEST_BYTES,
} from "@disp/protocol";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";

import { fixtureBytes } from "../core/helpers.js";

const KiB = 1024;
const RAW = 0x55;
const DAG_PB = 0x70;

/** rocket.jpg with `extra` bytes appended after its EOI: the JPEG codec keeps them in the manifest. */
function jpegWithTrailer(extra: number): Uint8Array {
  return Buffer.concat([fixtureBytes("rocket.jpg"), randomBytes(extra)]);
}

describe("a manifest is one raw block", function () {
  this.timeout(60_000);

  it("is at most 1 MiB, the largest chunk a manifest may record", function () {
    expect(MAX_MANIFEST_BYTES).to.equal(1024 * KiB);
    expect(MANIFEST_UNIXFS).to.deep.equal({ ...DEFAULT_UNIXFS, chunkSize: MAX_MANIFEST_BYTES });
  });

  it("has the same CID under MANIFEST_UNIXFS as under the default settings when it fits a default chunk", async function () {
    const { manifestBytes } = await splitImageFile(fixtureBytes("rocket.jpg"), {
      kernel: { height: 2, width: 2 },
    });
    expect(manifestBytes.length).to.be.below(DEFAULT_UNIXFS.chunkSize);
    const cid = await computeCid(manifestBytes, MANIFEST_UNIXFS);
    expect(cid.code).to.equal(RAW);
    expect(isManifestCid(cid)).to.equal(true);
    expect(cid.toString()).to.equal((await computeCid(manifestBytes, DEFAULT_UNIXFS)).toString());
  });

  it("stays one raw block up to the cap, where the fragments' settings would make a DAG", async function () {
    const { manifestBytes } = await encodeImageFile(jpegWithTrailer(600 * KiB), {
      kernel: { height: 2, width: 2 },
      codec: "jpeg",
    });
    expect(manifestBytes.length).to.be.within(DEFAULT_UNIXFS.chunkSize, MAX_MANIFEST_BYTES);
    expect((await computeCid(manifestBytes, DEFAULT_UNIXFS)).code).to.equal(DAG_PB);
    expect(isManifestCid(await computeCid(manifestBytes, MANIFEST_UNIXFS))).to.equal(true);
  });

  it("is refused when written larger than the cap (MANIFEST_INVALID), so nothing unreadable is stored", async function () {
    let caught: unknown;
    await encodeImageFile(jpegWithTrailer(800 * KiB), {
      kernel: { height: 2, width: 2 },
      codec: "jpeg",
    }).catch((error: unknown) => {
      caught = error;
    });
    expect(caught).to.be.instanceOf(ManifestError);
    expect((caught as ManifestError).code).to.equal("MANIFEST_INVALID");
    expect((caught as ManifestError).message).to.match(/more than 1048576/);
  });

  it("can be named only by a CIDv1 of a raw block hashed with SHA-256", async function () {
    const raw = await computeCid(new TextEncoder().encode("{}"), MANIFEST_UNIXFS);
    expect(isManifestCid(raw)).to.equal(true);
    const dagPb = CID.createV1(DAG_PB, raw.multihash);
    expect(isManifestCid(dagPb)).to.equal(false);
    expect(isManifestCid(CID.createV0(Digest.create(0x12, raw.multihash.digest)))).to.equal(false);
    const identity = CID.createV1(RAW, Digest.create(0x00, new Uint8Array([0x7b, 0x7d])));
    expect(isManifestCid(identity)).to.equal(false);
  });
});
