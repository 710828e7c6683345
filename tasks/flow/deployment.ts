import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { z } from "zod";

import { TaskInputError, writeOutputs } from "../cli.js";

const deploymentSchema = z.strictObject({
  chainId: z.string().regex(/^\d+$/),
  registry: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  fromBlock: z.int().min(0),
  communityId: z.string().regex(/^\d+$/).optional(),
  /** The storage-challenge contract deployed beside the registry. */
  challenges: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
});

/** What the other tasks need to find a deployment: written by disp:devnet, one file per network. */
export type Deployment = z.infer<typeof deploymentSchema>;

export function deploymentFile(root: string, network: string): string {
  return join(root, ".disp", `${network}.json`);
}

export async function readDeployment(root: string, network: string): Promise<Deployment | undefined> {
  const file = deploymentFile(root, network);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success)
    throw new TaskInputError(`${file} is damaged: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

export async function writeDeployment(
  root: string,
  network: string,
  deployment: Deployment,
): Promise<string> {
  const file = deploymentFile(root, network);
  await mkdir(dirname(file), { recursive: true });
  const { rm } = await import("node:fs/promises");
  await rm(file, { force: true });
  await writeOutputs([
    { path: file, bytes: new TextEncoder().encode(`${JSON.stringify(deployment, null, 2)}\n`) },
  ]);
  return file;
}
