import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { createEmbeddedNode } from "@disp/ipfs";
const dir = "/tmp/prof-node"; await rm(dir, { recursive: true, force: true });
const a = await createEmbeddedNode({ directory: dir });
const bytes = randomBytes(64 * 1024 * 1024);
const phase = process.env.PHASE ?? "add";
const s = new Session(); s.connect(); await s.post("Profiler.enable"); await s.post("Profiler.setSamplingInterval", { interval: 200 });
if (phase !== "cat") await s.post("Profiler.start");
let t = performance.now();
const cid = await a.add(bytes, undefined, { pin: phase === "pin" });
console.log("add", performance.now() - t);
if (phase === "cat") { await s.post("Profiler.start"); t = performance.now(); await a.cat(cid); console.log("cat", performance.now() - t); }
const { profile } = await s.post("Profiler.stop");
await mkdir("/tmp/prof", { recursive: true }); await writeFile(`/tmp/prof/${phase}.cpuprofile`, JSON.stringify(profile));
await a.stop();
