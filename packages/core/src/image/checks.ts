import { ImageError } from "../errors.js";
import type { ImageFormat } from "./types.js";

/** The typed error for a file whose structure is broken. */
export function corrupt(format: ImageFormat, detail: string): ImageError {
  return new ImageError("IMAGE_CORRUPT", `corrupt or truncated ${format.toUpperCase()} file: ${detail}`);
}

/** Refuses, as truncated, a read that would end past the file. */
export function need(view: DataView, format: ImageFormat, end: number): void {
  if (end > view.byteLength) throw corrupt(format, "the header is truncated");
}
