import { computeCid } from "@disp/protocol";
import { expect } from "chai";

import type { GetBlock } from "../../packages/ipfs/src/node.js";
import { retryStalled } from "../../packages/ipfs/src/stall.js";

/** A block source that never answers its first `lost` requests (as when bitswap loses a message). */
function losing(lost: number, block: Uint8Array): { getBlock: GetBlock; requests: AbortSignal[] } {
  const requests: AbortSignal[] = [];
  const getBlock: GetBlock = (_cid, signal) => {
    requests.push(signal);
    if (requests.length > lost) return Promise.resolve(block);
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
    );
  };
  return { getBlock, requests };
}

describe("retryStalled", function () {
  const block = new Uint8Array([1, 2, 3]);
  let cid: Awaited<ReturnType<typeof computeCid>>;

  before(async function () {
    cid = await computeCid(block);
  });

  it("cancels a request that got no answer and asks again", async function () {
    const source = losing(2, block);
    const guard = retryStalled(source.getBlock, 50);
    try {
      expect(await guard.getBlock(cid, AbortSignal.timeout(5_000))).to.equal(block);
    } finally {
      guard.close();
    }
    expect(source.requests).to.have.length(3);
    expect(source.requests.slice(0, 2).every((signal) => signal.aborted)).to.equal(true);
  });

  it("still ends when the caller's signal fires", async function () {
    const source = losing(Number.POSITIVE_INFINITY, block);
    const guard = retryStalled(source.getBlock, 50);
    try {
      const caller = AbortSignal.timeout(400);
      await guard.getBlock(cid, caller).then(
        () => expect.fail("a source that never answers cannot succeed"),
        () => expect(caller.aborted).to.equal(true),
      );
    } finally {
      guard.close();
    }
    expect(source.requests.length).to.be.greaterThan(1);
  });

  it("passes other failures through without asking again", async function () {
    let requests = 0;
    const guard = retryStalled(() => {
      requests++;
      return Promise.reject(new Error("disk on fire"));
    }, 50);
    try {
      await guard.getBlock(cid, AbortSignal.timeout(5_000)).then(
        () => expect.fail("the failure must reach the caller"),
        (error: Error) => expect(error.message).to.equal("disk on fire"),
      );
    } finally {
      guard.close();
    }
    expect(requests).to.equal(1);
  });
});
