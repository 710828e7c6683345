import { ArgumentType } from "hardhat/types/arguments";

/**
 * Pieces of option declarations shared by the task definitions and their actions. This module is
 * loaded with the Hardhat config, so it imports nothing but Hardhat's types.
 */

/**
 * The value of a number option the user did not give. Hardhat 3.18 has no INT or BIGINT type
 * without a default; its own `node --chain-id` uses -1 the same way. No user can type it: Hardhat's
 * INT and BIGINT parsers take no sign.
 */
export const UNSET = -1;

/** The option's value, or undefined when it is UNSET. */
export function given<T extends number | bigint>(value: T): T | undefined {
  return Number(value) === UNSET ? undefined : value;
}

/** An INT option whose absence means something other than a number (e.g. "the latest"). */
export function optionalInt<NameT extends string>(
  name: NameT,
  description: string,
): { name: NameT; description: string; type: ArgumentType.INT; defaultValue: number } {
  return { name, description, type: ArgumentType.INT, defaultValue: UNSET };
}

/** A BIGINT option whose absence means something other than a number (e.g. "the latest"). */
export function optionalBigint<NameT extends string>(
  name: NameT,
  description: string,
): { name: NameT; description: string; type: ArgumentType.BIGINT; defaultValue: bigint } {
  return { name, description, type: ArgumentType.BIGINT, defaultValue: BigInt(UNSET) };
}

/** A string option without a default. */
export function optionalString<NameT extends string>(
  name: NameT,
  description: string,
): { name: NameT; description: string; type: ArgumentType.STRING_WITHOUT_DEFAULT; defaultValue: undefined } {
  return { name, description, type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined };
}

/** A path option without a default. */
export function optionalFile<NameT extends string>(
  name: NameT,
  description: string,
): { name: NameT; description: string; type: ArgumentType.FILE_WITHOUT_DEFAULT; defaultValue: undefined } {
  return { name, description, type: ArgumentType.FILE_WITHOUT_DEFAULT, defaultValue: undefined };
}

/**
 * Hardhat options are always optional (only positional arguments can be required), so an option
 * the action cannot do without says so in --help; the action checks it with `required`.
 */
export function requiredString<NameT extends string>(name: NameT, description: string) {
  return optionalString(name, `${description} (required)`);
}

/** A path option the action cannot do without (see requiredString). */
export function requiredFile<NameT extends string>(name: NameT, description: string) {
  return optionalFile(name, `${description} (required)`);
}
