import { parseImageId, type Visibility } from "@disp/client";
import { CODEC_CHOICES, type CodecChoice } from "@disp/core";
import { isAddress } from "ethers";

import { TaskInputError } from "./cli.js";

/**
 * What the actions check beyond the types Hardhat gives their options: one function per concept,
 * each failing with a TaskInputError that names the option as the user typed it (`option` is the
 * kebab-case name, without the dashes).
 */

/** The value of an option the action cannot do without (Hardhat options are always optional). */
export function required<T>(value: T | undefined, option: string): T {
  if (value === undefined || value === "") throw new TaskInputError(`missing --${option}`);
  return value;
}

/** A count or a duration from an INT option: at least 1. */
export function positive(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TaskInputError(`--${option} must be a positive integer, got ${value}`);
  }
  return value;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(value: string, choices: readonly T[], option: string): T {
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined) {
    throw new TaskInputError(`--${option} must be one of ${choices.join(", ")}, got "${value}"`);
  }
  return choice;
}

/** What a word of a fixed set stands for (own keys only: `--role constructor` is no role). */
export function lookUp<V>(value: string, choices: Readonly<Record<string, V>>, option: string): V {
  const found = Object.hasOwn(choices, value) ? choices[value] : undefined;
  if (found === undefined) {
    throw new TaskInputError(`--${option} must be one of ${Object.keys(choices).join(", ")}, got "${value}"`);
  }
  return found;
}

/**
 * A codec name, for every task that takes --codec. Whether a codec fits the operation (the file
 * codec is for replication, not for a community) is the client's to say.
 */
export function codecOption(value: string): CodecChoice {
  return oneOf(value, CODEC_CHOICES, "codec");
}

const VISIBILITIES = ["private", "public"] as const;

/** --visibility of store and update. */
export function visibilityOption(value: string): Visibility {
  return oneOf(value, VISIBILITIES, "visibility");
}

/** An image id as users see it (0x and up to 64 hex digits) or in decimal. */
export function imageIdOption(value: string | undefined, option: string): bigint {
  const id = value === undefined ? undefined : parseImageId(value);
  if (id === undefined) {
    throw new TaskInputError(
      `--${option} must be an image id (0x and up to 64 hex digits, as disp:store prints it), got ${value ?? "nothing"}`,
    );
  }
  return id;
}

/** An account named on the command line: an index into the network's accounts, or an address. */
export type AccountOption = { readonly index: number } | { readonly address: string };

export function accountOption(value: string, option: string): AccountOption {
  if (/^\d+$/.test(value)) return { index: Number(value) };
  if (!isAddress(value)) {
    throw new TaskInputError(`--${option} must be an address or an account index, got "${value}"`);
  }
  return { address: value };
}

/** A contract or account address (no account index: --challenges names a contract). */
export function addressOption(value: string, option: string): string {
  if (!isAddress(value)) throw new TaskInputError(`--${option} must be an address, got "${value}"`);
  return value;
}
