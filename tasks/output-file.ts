import { extname } from "node:path";

import { isDispError } from "@disp/protocol";
import {
  FILE_KINDS,
  extensionFits,
  fileKindOfExtension,
  readImageHeader,
  sniffFileFormat,
  type Fidelity,
} from "@disp/core";

import { TaskInputError } from "./cli.js";

/** What a rebuilt result is, as the tasks that write one know it. */
export interface WrittenResult {
  readonly extension: string;
  readonly fidelity: Fidelity;
}

/**
 * The path a rebuilt file goes to: the one asked for when its extension names the result's real
 * format (x.jpeg for a JPEG too), with the real extension added when it has none. One naming
 * another format is refused before anything is written: converting (a JPEG's pixels into a PNG)
 * would hand back a file that is neither the stored one nor, since decoders disagree on a JPEG's
 * pixels, its exact content, when the user asked an archive for what they stored; and writing the
 * bytes under the wrong name misleads every program that opens the file.
 */
export function outputPath(requested: string, result: WrittenResult): string {
  const current = extname(requested);
  const base = requested.slice(0, requested.length - current.length);
  if (current.length <= 1) return `${base}.${result.extension}`;
  if (extensionFits(current.slice(1), result.extension)) return requested;
  const kind = fileKindOfExtension(result.extension)?.name ?? `.${result.extension} file`;
  const what = result.fidelity === "approximate" ? `an approximation, written as a ${kind}` : `a ${kind}`;
  throw new TaskInputError(
    `--out ${requested}: the result is ${what}, not what ${current} names; ` +
      `write it to ${base}.${result.extension} (or give no extension)`,
  );
}

const FIDELITY_TEXT: Readonly<Record<Fidelity, string>> = {
  fileExact: "fileExact (the stored file, byte for byte)",
  contentExact: "contentExact (the stored content in a re-encoded file, not the stored file's bytes)",
  approximate: "approximate (an estimate from the fragments at hand)",
};

/** A result's fidelity, as the tasks print it. */
export function describeFidelity(fidelity: Fidelity): string {
  return FIDELITY_TEXT[fidelity];
}

/** An image's size from its header (nothing decoded), or what the file is and its bytes. */
export function describeFile(bytes: Uint8Array): string {
  try {
    const { width, height } = readImageHeader(bytes);
    return `${width} × ${height}`;
  } catch (error) {
    if (!isDispError(error)) throw error;
    return `${FILE_KINDS[sniffFileFormat(bytes)].name}, ${bytes.length} bytes`;
  }
}
