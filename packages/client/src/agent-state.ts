import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { z } from "zod";

import { ClientError } from "./errors.js";

const pinTaskSchema = z.strictObject({
  imageId: z.string().regex(/^\d+$/),
  version: z.string().regex(/^\d+$/),
  /** Fragment index to keep (0 for a replicated image: the whole file). */
  fragment: z.int().min(0),
});

/** One part of one image version this node must keep. */
export type PinTask = z.infer<typeof pinTaskSchema>;

const quarantinedSchema = z.strictObject({
  ...pinTaskSchema.shape,
  /** Why it was given up (the last failure, or the quota it would exceed). */
  reason: z.string(),
  /** The failure's error code, when it had one (e.g. CLIENT_QUOTA_EXCEEDED). */
  code: z.string().optional(),
  attempts: z.int().min(0),
});

/** A task given up for good: it failed permanently, crashed, or ran out of attempts. Never retried. */
export type QuarantinedTask = z.infer<typeof quarantinedSchema>;

const agentStateSchema = z.strictObject({
  /** The last block whose events were turned into tasks. */
  cursor: z.int().min(-1),
  /** The hash of the cursor block: tells a restarted or reorganised chain from the one remembered. */
  cursorHash: z.string().optional(),
  /** Tasks not done yet (failed fetches are retried on the next pass). */
  pending: z.array(pinTaskSchema),
  /** Replicated images this node keeps whole (their later versions come from `VersionAdded`). */
  replicated: z.array(z.string()),
  /** Tasks done: verified, pinned and confirmed on chain (`imageId:version:fragment`). */
  done: z.array(z.string()),
  /** The community slot this node joined, and what it stored before, read backward: next..from left. */
  backfill: z
    .strictObject({
      communityId: z.string().regex(/^\d+$/),
      slot: z.int().min(0),
      /** The block the node got the slot: a new assignment to the same slot starts over. */
      assignedBlock: z.int().min(0).optional(),
      from: z.int().min(0),
      next: z.int().min(-1),
    })
    .optional(),
  /**
   * Attempts started per pending task (by task key), counted before each attempt runs, so that one
   * that kills the process (a crash) uses up its attempts across restarts too.
   */
  attempts: z.record(z.string(), z.int().min(0)).default({}),
  /** Tasks given up for good, with why: kept so that neither a pass nor a restart retries them. */
  quarantined: z.array(quarantinedSchema).default([]),
  /** Bytes pinned per registrant (image owner, lowercase address): what the quota counts. */
  usage: z.record(z.string(), z.int().min(0)).default({}),
});

/** What a node agent remembers across restarts, in one small JSON file. */
export type AgentState = z.infer<typeof agentStateSchema>;

export function initialState(fromBlock: number): AgentState {
  return {
    cursor: fromBlock - 1,
    pending: [],
    replicated: [],
    done: [],
    attempts: {},
    quarantined: [],
    usage: {},
  };
}

/** A task's identity: a node that moves to another slot owes the new slot's part too. */
export function taskKey(task: PinTask): string {
  return `${task.imageId}:${task.version}:${task.fragment}`;
}

/** The saved state, or a fresh one starting at `fromBlock`. A damaged file is an error, not a reset. */
export async function loadState(file: string, fromBlock: number): Promise<AgentState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return initialState(fromBlock);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = agentStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new ClientError(
      "CLIENT_INVALID_INPUT",
      `the agent state in ${file} is damaged (${parsed.error.issues[0]?.message ?? "not JSON"}): move it away to start over`,
    );
  }
  return parsed.data;
}

/** Writes the state atomically (temp file + rename), so a crash never leaves half a file. */
export async function saveState(file: string, state: AgentState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}
