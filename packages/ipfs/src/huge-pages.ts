import { readFileSync } from "node:fs";

/**
 * Whether a node process would gain from glibc's huge-page tunable. On our VMs memory a process
 * touches for the first time costs about 13 µs a page, and `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`
 * (glibc 2.35+) makes `malloc` ask for transparent huge pages, 2 MiB per fault: a 64 MiB bitswap
 * read ran at 38–50 MB/s with it against 23–34 without (packages/ipfs/README.md). glibc reads the
 * tunable when the process starts, so code can only advise it.
 */

export const HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1";

/** What decides the advice (`currentMemorySetup()` reads this process's). */
export interface MemorySetup {
  readonly platform: NodeJS.Platform;
  /** glibc's version at run time ("2.36"); undefined under another C library. */
  readonly glibc: string | undefined;
  /** The kernel's THP mode, the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
  readonly thp: string | undefined;
  /** The process's `GLIBC_TUNABLES`. */
  readonly tunables: string | undefined;
}

export function currentMemorySetup(): MemorySetup {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  let thp: string | undefined;
  try {
    thp = /\[(\w+)\]/.exec(readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8"))?.[1];
  } catch {
    thp = undefined; // not Linux, or no THP in this kernel
  }
  return {
    platform: process.platform,
    glibc: header?.glibcVersionRuntime,
    thp,
    tunables: process.env["GLIBC_TUNABLES"],
  };
}

/**
 * One line advising the tunable, or undefined when it is set already or would change nothing: not
 * glibc 2.35+ on Linux, or the kernel's THP mode is not `madvise` (`always` gives large mappings
 * huge pages without asking, `never` refuses them).
 */
export function hugePagesAdvice(setup: MemorySetup = currentMemorySetup()): string | undefined {
  if (setup.platform !== "linux" || setup.thp !== "madvise") return undefined;
  if (setup.tunables?.split(":").some((tunable) => tunable.startsWith("glibc.malloc.hugetlb=")) === true) {
    return undefined;
  }
  const [major = 0, minor = 0] = (setup.glibc ?? "").split(".").map(Number);
  if (!(major > 2 || (major === 2 && minor >= 35))) return undefined; // also when not a version
  return (
    `tip: start IPFS nodes with GLIBC_TUNABLES=${HUGE_PAGES_TUNABLE} in the environment; ` +
    `with this kernel's huge pages on madvise, 64 MiB reads ran about 1.8x as fast with it on our VMs (packages/ipfs/README.md)`
  );
}
