import { HUGE_PAGES_TUNABLE, hugePagesAdvice, type MemorySetup } from "@disp/ipfs";
import { expect } from "chai";

describe("the huge-pages advice for node processes", function () {
  const applies: MemorySetup = { platform: "linux", glibc: "2.36", thp: "madvise", tunables: undefined };

  it("advises the tunable on Linux with glibc 2.35+ and THP on madvise, naming it", function () {
    expect(hugePagesAdvice(applies)).to.include(`GLIBC_TUNABLES=${HUGE_PAGES_TUNABLE}`);
    expect(hugePagesAdvice({ ...applies, glibc: "2.35" })).to.be.a("string");
    expect(hugePagesAdvice({ ...applies, glibc: "3.0" })).to.be.a("string");
    expect(hugePagesAdvice({ ...applies, tunables: "glibc.malloc.arena_max=2" })).to.be.a("string");
  });

  it("stays quiet once the tunable is set, among others or turned off on purpose", function () {
    for (const tunables of [
      HUGE_PAGES_TUNABLE,
      `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`,
      "glibc.malloc.hugetlb=0",
    ]) {
      expect(hugePagesAdvice({ ...applies, tunables }), tunables).to.equal(undefined);
    }
  });

  it("stays quiet where the tunable would change nothing", function () {
    const quiet: Partial<MemorySetup>[] = [
      { platform: "darwin", glibc: undefined, thp: undefined },
      { glibc: undefined }, // musl
      { glibc: "2.34" },
      { glibc: "1.99" },
      { glibc: "x.y" },
      { thp: "always" }, // the kernel gives large mappings huge pages unasked
      { thp: "never" },
      { thp: undefined },
    ];
    for (const change of quiet) {
      expect(hugePagesAdvice({ ...applies, ...change }), JSON.stringify(change)).to.equal(undefined);
    }
  });
});
